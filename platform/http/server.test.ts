import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Caller } from '../../ticketing/caller.ts';
import { eventually } from '../../test/support/eventually.ts';
import { createOperationMetricsPlugin } from '../graphql/operation-metrics-plugin.ts';
import { startHttpServer, type HttpLifecycleOptions, type RunningHttpServer } from './server.ts';

interface Context {
  caller: Caller;
}

const typeDefs = `
  type Query { hello: String, slow(ms: Int!): String, held: String, fails: String }
`;
/** Slow requests the server has started to resolve: a test knows its request is in flight. */
let slowStarted = 0;
/** Held requests the server has started to resolve, and how to let the latest one finish. */
let heldStarted = 0;
let releaseHeld = () => {};

const resolvers = {
  Query: {
    hello: () => 'world',
    slow: async (_: unknown, { ms }: { ms: number }) => {
      slowStarted += 1;
      // The slowness is what these tests are about: a request that takes this long to answer.
      await sleep(ms);
      return 'done';
    },
    held: () =>
      new Promise<string>((resolve) => {
        heldStarted += 1;
        releaseHeld = () => resolve('released');
      }),
    fails: () => {
      throw new GraphQLError('nope', { extensions: { code: 'TICKET_NOT_FOUND' } });
    },
  },
};

function captureLogs() {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

const running: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
});

async function startServer(lifecycle: HttpLifecycleOptions = {}) {
  const registry = new Registry();
  const { lines, logger } = captureLogs();
  const server = await startHttpServer<Context>({
    port: 0,
    host: '127.0.0.1',
    apollo: new ApolloServer<Context>({ typeDefs, resolvers, plugins: [createOperationMetricsPlugin(registry)] }),
    context: async ({ headers }) => ({
      caller: headers.authorization
        ? { kind: 'user', userId: 'alice', roles: ['USER'], grade: 'NORMAL' }
        : { kind: 'anonymous' },
    }),
    readiness: async () => ({ ready: true, checks: {} }),
    metrics: registry,
    logger,
    ...lifecycle,
  });
  running.push(server);
  return { server, registry, lines, base: `http://127.0.0.1:${server.port}` };
}

function query(url: string, body: object, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('the HTTP edge', () => {
  it('logs one JSON line per request with operation, duration, correlation id and user, never the token', async () => {
    const { server, lines } = await startServer();
    const response = await query(
      server.url,
      { query: 'query Greeting { hello }', operationName: 'Greeting' },
      { authorization: 'Bearer secret-token-value', 'x-correlation-id': 'corr-123' },
    );
    expect(response.status).toBe(200);
    // The line is written when the response has finished, which may be after the client read it.
    const requestLines = await eventually(async () => {
      const found = lines.filter((line) => line.msg === 'request');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(requestLines[0]).toMatchObject({
      method: 'POST',
      path: '/graphql',
      status: 200,
      correlationId: 'corr-123',
      operation: 'Greeting',
      operationType: 'query',
      userId: 'alice',
    });
    expect(typeof requestLines[0]!.durationMs).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('secret-token-value');
  });

  it('counts and times operations by name, and errors by code, in /metrics', async () => {
    const { server, base } = await startServer();
    await query(server.url, { query: 'query Greeting { hello }' });
    await query(server.url, { query: 'query Broken { fails }' });
    await query(server.url, { query: '{ nonsense' });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('graphql_operations_total{operation="Greeting",type="query",outcome="success"} 1');
    expect(text).toContain('graphql_operations_total{operation="Broken",type="query",outcome="error"} 1');
    expect(text).toContain('graphql_errors_total{operation="Broken",code="TICKET_NOT_FOUND"} 1');
    expect(text).toContain('graphql_errors_total{operation="(invalid)",code="GRAPHQL_PARSE_FAILED"} 1');
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{operation="Greeting",type="query"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="POST",route="graphql",status="200"\} 2/);
    expect(text).toContain('http_request_duration_seconds_bucket');
  });

  it('with an admin port, serves health and metrics there only, and GraphQL on the public port only', async () => {
    const { server, base } = await startServer({ adminPort: 0 });
    expect(server.adminUrl).not.toBe(base);
    for (const internal of ['/metrics', '/health/ready', '/health/live']) {
      expect((await fetch(`${base}${internal}`)).status).toBe(404);
      expect((await fetch(`${server.adminUrl}${internal}`)).status).toBe(200);
    }
    expect((await query(server.url, { query: '{ hello }' })).status).toBe(200);
    expect((await query(`${server.adminUrl}/graphql`, { query: '{ hello }' })).status).toBe(404);
    // The public port's requests are counted on the admin port.
    expect(await (await fetch(`${server.adminUrl}/metrics`)).text()).toMatch(
      /http_requests_total\{method="GET",route="metrics",status="404"\} 1/,
    );
  });

  it('with an admin port, answers probes there (not ready) until the public port has drained', async () => {
    const { server } = await startServer({ adminPort: 0 });
    const startedBefore = heldStarted;
    const inFlight = query(server.url, { query: '{ held }' });
    await eventually(async () => expect(heldStarted).toBe(startedBefore + 1));
    const stopped = server.stop();
    expect((await fetch(`${server.adminUrl}/health/ready`)).status).toBe(503);
    expect((await fetch(`${server.adminUrl}/health/live`)).status).toBe(200);
    releaseHeld();
    expect(await (await inFlight).json()).toEqual({ data: { held: 'released' } });
    await stopped;
    await expect(fetch(`${server.adminUrl}/health/live`)).rejects.toThrow();
  });

  it('keeps client-chosen operation names from growing the metrics without bound', async () => {
    const registry = new Registry();
    const plugin = createOperationMetricsPlugin(registry, { maxOperationNames: 2 });
    const { lines, logger } = captureLogs();
    const server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      apollo: new ApolloServer({ typeDefs, resolvers, plugins: [plugin] }),
      context: async () => ({}),
      readiness: async () => ({ ready: true, checks: {} }),
      metrics: registry,
      logger,
    });
    running.push(server);
    for (const name of ['A', 'B', 'C', 'D']) await query(server.url, { query: `query ${name} { hello }` });
    const text = await registry.metrics();
    expect(text).toContain('operation="(other)",type="query",outcome="success"} 2');
    expect(lines.filter((line) => line.msg === 'request').map((line) => line.operation)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('on stop, reports not ready at once, serves through the shutdown delay, finishes in-flight requests, then refuses', async () => {
    const { server, base } = await startServer({ shutdownDelayMs: 400 });
    const startedBefore = slowStarted;
    const inFlight = query(server.url, { query: '{ slow(ms: 600) }' });
    await eventually(async () => expect(slowStarted).toBe(startedBefore + 1));
    const stopped = server.stop();
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(503);
    const during = await query(server.url, { query: '{ hello }' });
    expect(during.status).toBe(200);
    expect(during.headers.get('connection')).toBe('close');
    expect(await (await inFlight).json()).toEqual({ data: { slow: 'done' } });
    await stopped;
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
  });

  it('reports not live while the event loop is held beyond the limit, and live again after', async () => {
    const { base } = await startServer({ maxEventLoopDelayMs: 150 });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const probe = fetch(`${base}/health/live`);
    const until = Date.now() + 400;
    while (Date.now() < until) {
      // a wedged loop: nothing else runs
    }
    const during = await probe;
    expect(during.status).toBe(503);
    expect(((await during.json()) as { eventLoopDelayMs: number }).eventLoopDelayMs).toBeGreaterThan(150);
    await eventually(async () => expect((await fetch(`${base}/health/live`)).status).toBe(200));
    // Slow but turning: a request awaiting I/O does not count against liveness.
    const startedBefore = slowStarted;
    const slow = query(`${base}/graphql`, { query: '{ slow(ms: 300) }' });
    await eventually(async () => expect(slowStarted).toBe(startedBefore + 1));
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await slow).status).toBe(200);
  });

  it('fails liveness on a fatal condition the process reports', async () => {
    const registry = new Registry();
    const { logger } = captureLogs();
    let natsClosed = false;
    const server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      apollo: new ApolloServer({ typeDefs, resolvers }),
      context: async () => ({}),
      readiness: async () => ({ ready: true, checks: {} }),
      liveness: () => ({ live: !natsClosed, checks: { natsClosed } }),
      metrics: registry,
      logger,
    });
    running.push(server);
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    natsClosed = true;
    const response = await fetch(`${base}/health/live`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'not live', natsClosed: true });
  });
});
