/**
 * SIGTERM to a real subgraph process (`subgraphs/ticket/main.ts`, as the container runs it)
 * while it takes writes: readiness turns false first, requests keep being served through the
 * shutdown delay, those in flight finish, every acknowledged write is in the database, and the
 * process exits 0 on its own, well within Kubernetes' grace period.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { requestBody } from '../../operations/client.ts';
import { RegisterTicketDocument } from '../../operations/documents.generated.ts';
import { aTicket } from '../support/builders.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { eventually } from '../support/eventually.ts';
import { createTestStream, type TestStream } from '../support/nats.ts';
import { testServiceEnv } from '../support/supergraph.ts';
import { adminToken } from '../support/tokens.ts';
import { freePort } from '../../system/listening.ts';

const root = path.resolve(import.meta.dirname, '../..');
const SHUTDOWN_DELAY_MS = 800;
const WORKERS = 4;

interface Outcome {
  startedAt: number;
  status?: number;
  body?: { data?: { registerTicket?: { id: string } } | null; errors?: unknown[] };
  /** A connection-level failure (`ECONNREFUSED`, `ECONNRESET`): no HTTP answer at all. */
  errorCode?: string;
}

/** One POST over a keep-alive agent, as a gateway or load balancer would send it. */
function post(agent: http.Agent, port: number, token: string, body: string): Promise<Outcome> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ startedAt, status: response.statusCode, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
        response.on('error', (error: NodeJS.ErrnoException) => resolve({ startedAt, errorCode: error.code }));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ startedAt, errorCode: error.code ?? error.message }),
    );
    request.end(body);
  });
}

describe('SIGTERM during load', () => {
  let database: TestDatabase;
  let stream: TestStream;

  beforeAll(async () => {
    [database, stream] = [await createTestDatabase('ticket'), createTestStream()];
  });
  afterAll(async () => {
    await database?.drop();
    await stream?.delete();
  });

  it('loses no acknowledged request and exits cleanly within its deadline', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/ticket/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        ...testServiceEnv(stream, database.url),
        LOG_LEVEL: 'info',
        PORT: String(port),
        TICKET_CONSUMER: `ticket_${stream.suffix}`,
        SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logLines: Record<string, unknown>[] = [];
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n');
      stdout = lines.pop()!;
      for (const line of lines.filter(Boolean)) logLines.push(JSON.parse(line));
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.on('exit', (code) => resolve({ code, at: Date.now() })),
    );

    try {
      await eventually(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
        expect(response.status).toBe(200);
      }, 60_000);

      const token = await adminToken();
      const agent = new http.Agent({ keepAlive: true, maxSockets: WORKERS });
      const outcomes: Outcome[] = [];
      let running = true;
      const worker = async () => {
        while (running) {
          const body = requestBody(RegisterTicketDocument, { input: aTicket() });
          const outcome = await post(agent, port, token, body);
          outcomes.push(outcome);
          if (outcome.errorCode === 'ECONNREFUSED') running = false;
        }
      };
      const readiness: { at: number; status: number }[] = [];
      const probe = async () => {
        while (running) {
          const status = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
            (r) => r.status,
            () => 0,
          );
          readiness.push({ at: Date.now(), status });
          // A probe's period, as a kubelet's: pacing, not waiting for anything.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const load = Promise.all([...Array.from({ length: WORKERS }, worker), probe()]);

      // Under load: writes are being acknowledged before the signal.
      await eventually(async () =>
        expect(outcomes.filter((o) => o.body?.data?.registerTicket).length).toBeGreaterThan(10),
      );
      const signalledAt = Date.now();
      child.kill('SIGTERM');
      const exit = await exited;
      running = false;
      await load;
      agent.destroy();

      expect(exit.code).toBe(0);
      expect(exit.at - signalledAt).toBeLessThan(25_000);

      // Readiness false first, while requests were still served.
      const notReadyAt = readiness.find((r) => r.at > signalledAt && r.status === 503)?.at;
      expect(notReadyAt).toBeDefined();
      expect(outcomes.some((o) => o.startedAt > notReadyAt! && o.status === 200)).toBe(true);

      // Every request sent before the server stopped accepting was answered, and answered well.
      const servedWindowEnd = signalledAt + SHUTDOWN_DELAY_MS - 100;
      const beforeClose = outcomes.filter((o) => o.startedAt < servedWindowEnd);
      expect(beforeClose.length).toBeGreaterThan(10);
      expect(beforeClose.filter((o) => o.status !== 200 || o.body?.errors)).toEqual([]);
      // Afterwards, only connections the server no longer took (refused, or reset while waiting in
      // the listen backlog as the listener closed): never an error answer.
      const failed = outcomes.filter((o) => o.status !== 200 || o.body?.errors);
      expect(failed.filter((o) => o.errorCode !== 'ECONNREFUSED' && o.errorCode !== 'ECONNRESET')).toEqual([]);

      const acknowledged = outcomes.flatMap((o) =>
        o.body?.data?.registerTicket ? [o.body.data.registerTicket.id] : [],
      );
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ id: string }>(
          'SELECT id::text AS id FROM ticket WHERE id::text = ANY($1)',
          [acknowledged],
        );
        expect(rows.length).toBe(acknowledged.length);
      } finally {
        await client.end();
      }

      // The stop was logged in order, and every request as one line with its operation.
      const messages = logLines.map((line) => line.msg);
      expect(messages).toContain('ticket stopping');
      expect(messages.at(-1)).toBe('ticket stopped');
      // The server answered every request it read: none was cut off by the drain deadline.
      const requestLines = logLines.filter((line) => line.msg === 'request' && line.path === '/graphql');
      expect(requestLines.length).toBe(acknowledged.length);
      expect(logLines.filter((line) => line.level !== 'info')).toEqual([]);
      expect(requestLines[0]).toMatchObject({ operation: 'RegisterTicket', userId: 'admin-1', status: 200 });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      if (stderr.trim()) process.stderr.write(stderr);
    }
  });
});
