/**
 * The HTTP edge every process shares: GraphQL through Apollo Server, `/health/live`,
 * `/health/ready` and Prometheus `/metrics`, with a graceful stop. The internal endpoints (health
 * and metrics) share the public port unless an admin port is given: then only it serves them, and
 * the public port answers 404 for them. Every request is timed into `http_request_*` metrics and
 * logged as one JSON line when its response is sent.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging.ts';
import { preloadCryptoForApolloHashing } from '../graphql/apollo-hashing.ts';
import { watchEventLoop } from './event-loop-watchdog.ts';
import { createHttpMetrics } from './http-metrics.ts';
import type { RecordedContext, RequestRecord } from './request-scope.ts';

export interface RequestInfo {
  headers: IncomingMessage['headers'];
  /** From `x-correlation-id` (or `x-request-id`) when the caller sent one, otherwise new. */
  correlationId: string;
  /** The GraphQL request as it arrived: the URL's query string, and a POST's body (JSON parsed). */
  request: { search: string; body: unknown };
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, unknown>;
}

/** A condition only a restart cures (say, a connection that gave up for good). */
export interface LivenessReport {
  live: boolean;
  checks: Record<string, unknown>;
}

/** How the edge stops and when it counts as wedged (`lifecycleConfigFrom` reads them). */
export interface HttpLifecycleOptions {
  /**
   * How long readiness reports false before the server stops accepting, in ms (default 0).
   * Load balancers and Kubernetes endpoints need this long to take the instance out of rotation;
   * requests arriving meanwhile are still served.
   */
  shutdownDelayMs?: number;
  /** How long in-flight requests may take to finish once the server stops accepting, in ms (default 10 000). */
  drainTimeoutMs?: number;
  /** `/health/live` fails while the event loop was held longer than this, in ms (default 5000). */
  maxEventLoopDelayMs?: number;
  /**
   * Serve `/health/live`, `/health/ready` and `/metrics` on this port (same host) and nowhere
   * else; 0 picks a free one. Unset: on the public port, beside GraphQL.
   */
  adminPort?: number;
}

/** Long-lived GraphQL connections served beside requests on the GraphQL routes (subscriptions). */
export interface StreamEndpoint {
  /** A WebSocket upgrade on a GraphQL route. */
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
  /** A request that accepts `text/event-stream` on a GraphQL route (omit to leave them to Apollo). */
  eventStream?(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Ends every open connection with a reconnect hint; called once readiness has been false for the shutdown delay. */
  close(): Promise<void>;
}

export interface HttpServerOptions<TContext extends BaseContext> extends HttpLifecycleOptions {
  port: number;
  /** The address to listen on (default 0.0.0.0: every interface). */
  host?: string;
  apollo: ApolloServer<TContext>;
  context: (request: RequestInfo) => Promise<TContext>;
  /** Dependencies that must answer before the process takes traffic. */
  readiness: () => Promise<ReadinessReport>;
  /** Fatal conditions reported by `/health/live`, besides a wedged event loop. */
  liveness?: () => LivenessReport;
  metrics: Registry;
  logger: Logger;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Browser origins allowed to call (for Apollo Sandbox); none by default. `*` allows any. */
  corsOrigins?: readonly string[];
  /** Subscriptions over WebSocket and Server-Sent Events on the GraphQL routes. */
  streams?: StreamEndpoint;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  /** Where `/health/*` and `/metrics` are served (`http://127.0.0.1:<admin port>`, no path). */
  adminUrl: string;
  /**
   * Readiness false, then (after `shutdownDelayMs`, still serving) stop accepting, let in-flight
   * requests finish, close. Calling it again returns the same stop.
   */
  stop(): Promise<void>;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function correlationIdFrom(headers: IncomingMessage['headers']): string {
  const candidate = headers['x-correlation-id'] ?? headers['x-request-id'];
  const value = Array.isArray(candidate) ? candidate[0] : candidate;
  return value && CORRELATION_ID.test(value) ? value : randomUUID();
}

/** A request body over the limit (answered 413 REQUEST_TOO_LARGE). */
export class BodyTooLarge extends Error {}

/**
 * The body, whole. Read with listeners rather than `for await`: the async iterator costs each
 * request a stream wrapper, a promise per chunk and an end-of-stream watcher (~2 % of a subgraph).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  if (req.readableEnded) return Promise.resolve('');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error?: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', settle).off('close', onClose);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // The rest is discarded as it arrives; the 413 closes the connection once it is sent.
      settle(new BodyTooLarge());
    };
    const onEnd = () => settle();
    const onClose = () => settle(new Error('the request closed before its body was read'));
    req.on('data', onData).once('end', onEnd).once('error', settle).once('close', onClose);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function requestErrorBody(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

const ROUTES: Record<string, string> = {
  '/': 'graphql',
  '/graphql': 'graphql',
  '/health/live': 'live',
  '/health/ready': 'ready',
  '/metrics': 'metrics',
};
const METHODS = new Set(['GET', 'POST', 'OPTIONS', 'HEAD']);
// Probes and scrapes arrive every few seconds: their lines would drown the requests that matter.
const INTERNAL_ROUTES = new Set(['live', 'ready', 'metrics']);

export async function startHttpServer<TContext extends BaseContext>(
  options: HttpServerOptions<TContext>,
): Promise<RunningHttpServer> {
  const { apollo, logger, metrics } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const httpMetrics = createHttpMetrics(metrics);
  let accepting = true;
  let stopping: Promise<void> | undefined;
  preloadCryptoForApolloHashing();
  await apollo.start();
  const eventLoop = watchEventLoop({ maxDelayMs: options.maxEventLoopDelayMs ?? 5000 });

  function allowCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const allowed = options.corsOrigins ?? [];
    if (!origin || !(allowed.includes('*') || allowed.includes(origin))) return false;
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader(
      'access-control-allow-headers',
      'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-correlation-id, apollographql-client-name, apollographql-client-version',
    );
    res.setHeader('access-control-expose-headers', 'x-correlation-id');
    res.setHeader('access-control-max-age', '600');
    return true;
  }

  function liveness(): LivenessReport {
    const eventLoopDelayMs = Math.round(eventLoop.delayMs());
    const fatal = options.liveness?.() ?? { live: true, checks: {} };
    return {
      live: !eventLoop.wedged() && fatal.live,
      checks: { eventLoopDelayMs, ...fatal.checks },
    };
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, record: RequestRecord) {
    let body: unknown;
    if (req.method === 'POST') {
      const text = await readBody(req, maxBodyBytes);
      const contentType = req.headers['content-type'] ?? '';
      if (contentType.includes('application/json')) {
        try {
          body = text.length > 0 ? JSON.parse(text) : undefined;
        } catch {
          return sendJson(res, 400, requestErrorBody('BAD_REQUEST', 'request body is not valid JSON'));
        }
      } else {
        body = text;
      }
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => {
        const context: TContext & RecordedContext = await options.context({
          headers: req.headers,
          correlationId: record.correlationId,
          request: { search: url.search, body },
        });
        // For the operation metrics plugin, which adds the operation and the caller to the log line.
        context.requestRecord = record;
        return context;
      },
    });
    res.statusCode = result.status ?? 200;
    for (const [name, value] of result.headers) res.setHeader(name, value);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  const separateAdmin = options.adminPort !== undefined;

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, record: RequestRecord, admin: boolean) {
    const { correlationId } = record;
    if (!admin && allowCors(req, res) && req.method === 'OPTIONS') {
      res.writeHead(204);
      return res.end();
    }
    // Each listener answers only for its own routes; the other's look like any unknown path.
    const internal = INTERNAL_ROUTES.has(ROUTES[url.pathname] ?? 'other');
    const servedHere = admin ? internal : !(separateAdmin && internal);
    try {
      switch (servedHere ? url.pathname : '') {
        case '/health/live': {
          const report = liveness();
          return sendJson(res, report.live ? 200 : 503, {
            status: report.live ? 'live' : 'not live',
            ...report.checks,
          });
        }
        case '/health/ready': {
          const report = accepting ? await options.readiness() : { ready: false, checks: { shuttingDown: true } };
          return sendJson(res, report.ready ? 200 : 503, {
            status: report.ready ? 'ready' : 'not ready',
            ...report.checks,
          });
        }
        case '/metrics':
          res.writeHead(200, { 'content-type': metrics.contentType });
          return res.end(await metrics.metrics());
        case '/':
        case '/graphql':
          if (options.streams?.eventStream && req.headers.accept?.includes('text/event-stream')) {
            return await options.streams.eventStream(req, res);
          }
          return await handleGraphQL(req, res, url, record);
        default:
          return sendJson(res, 404, requestErrorBody('NOT_FOUND', `no route for ${url.pathname}`));
      }
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        return sendJson(res, 413, requestErrorBody('REQUEST_TOO_LARGE', `request body exceeds ${maxBodyBytes} bytes`));
      }
      logger.error({ err: error, correlationId }, 'request failed outside GraphQL execution');
      if (!res.headersSent) sendJson(res, 500, requestErrorBody('INTERNAL_SERVER_ERROR', 'Internal server error'));
      else res.end();
    }
  }

  /** The request's one line, built only when its level is written (the bench runs at `warn`). */
  function logRequest(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    started: number,
    record: RequestRecord,
    quiet: boolean,
  ) {
    const aborted = !res.writableFinished;
    const level = aborted ? 'warn' : quiet ? 'debug' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const line = {
      method: req.method,
      path,
      status: res.statusCode,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      correlationId: record.correlationId,
      operation: record.operation,
      operationType: record.operationType,
      userId: record.userId,
      errors: record.errorCodes?.length ? record.errorCodes : undefined,
    };
    if (aborted) logger.warn(line, 'request aborted by the client before the response was sent');
    else logger[level](line, 'request');
  }

  const active = new Set<ServerResponse>();
  const handle = (admin: boolean) => (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    active.add(res);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const routeName = ROUTES[url.pathname] ?? 'other';
    const method = req.method && METHODS.has(req.method) ? req.method : 'other';
    const done = httpMetrics.observe(method, routeName);
    const record: RequestRecord = { correlationId: correlationIdFrom(req.headers) };
    res.setHeader('x-correlation-id', record.correlationId);
    // Keep-alive clients (a load balancer, the gateway's pool) reconnect elsewhere while this one drains.
    if (!accepting) res.setHeader('connection', 'close');
    res.once('close', () => {
      active.delete(res);
      done(res.statusCode);
      logRequest(req, res, url.pathname, started, record, INTERNAL_ROUTES.has(routeName));
    });
    void route(req, res, url, record, admin);
  };
  const server = http.createServer(handle(false));
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const routeName = ROUTES[new URL(req.url ?? '/', 'http://localhost').pathname];
    if (accepting && routeName === 'graphql' && options.streams) options.streams.upgrade(req, socket, head);
    else socket.destroy();
  });
  // Longer than typical client and load-balancer idle timeouts, so keep-alive sockets are not cut mid-request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const port = await listen(server, options.port, options.host);
  const adminServer = separateAdmin ? http.createServer(handle(true)) : undefined;
  const adminPort = adminServer
    ? await listen(adminServer, options.adminPort!, options.host).catch((error: unknown) => {
        server.close();
        throw error;
      })
    : port;

  async function stop(): Promise<void> {
    accepting = false;
    for (const res of active) if (!res.headersSent) res.setHeader('connection', 'close');
    const delayMs = options.shutdownDelayMs ?? 0;
    if (delayMs > 0) {
      logger.info({ delayMs }, 'readiness is false; serving on while load balancers take this instance out');
      await sleep(delayMs);
    }
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await options.streams?.close();
    server.closeIdleConnections();
    // A keep-alive connection whose request was already running goes idle only when it is answered.
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    const forced = setTimeout(() => {
      logger.warn('requests still running at the drain deadline; closing their connections');
      server.closeAllConnections();
    }, options.drainTimeoutMs ?? 10_000);
    await closed;
    clearInterval(sweeper);
    clearTimeout(forced);
    // Probes and scrapes are answered (not ready) until the public port has drained.
    if (adminServer) {
      const adminClosed = new Promise<void>((resolve) => adminServer.close(() => resolve()));
      adminServer.closeAllConnections();
      await adminClosed;
    }
    eventLoop.stop();
    await apollo.stop();
  }

  return {
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    stop: () => (stopping ??= stop()),
  };
}

async function listen(server: http.Server, port: number, host = '0.0.0.0'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
