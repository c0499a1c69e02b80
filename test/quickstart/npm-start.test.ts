/**
 * The quick start, as a new user runs it: `npm start` with no database server configured brings
 * up the supergraph on embedded PostgreSQL stores, seeds demo data once, serves it through the
 * gateway, and stops cleanly on Ctrl-C (SIGINT). Ports, data folder and stream are the test's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { graphql } from '../../operations/client.ts';
import { TicketBoardDocument, TicketsDocument } from '../../operations/documents.generated.ts';
import { eventually } from '../support/eventually.ts';
import { createTestStream, type TestStream } from '../support/nats.ts';
import { freePort, freePortRun } from '../support/ports.ts';

const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string;
let stream: TestStream;
let env: NodeJS.ProcessEnv;
let gatewayUrl: string;

function startSupergraph(): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: root, env, stdio: 'ignore' });
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function waitForGateway(): Promise<void> {
  await eventually(
    async () => {
      const response = await fetch(gatewayUrl.replace('/graphql', '/health/ready'));
      expect(response.status).toBe(200);
    },
    150_000,
    500,
  );
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketing-quickstart-'));
  // PostgreSQL runs as its own system user when the tests run as root: it must reach the folder.
  await chmod(dataDir, 0o755);
  stream = createTestStream();
  const [gateway, ticket, reservation, price, view] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  gatewayUrl = `http://127.0.0.1:${gateway}/graphql`;
  const { DATABASE_URL: _unused, ...inherited } = process.env;
  env = {
    ...inherited,
    NODE_OPTIONS: '',
    LOG_LEVEL: 'warn',
    NATS_URL: stream.url,
    NATS_STREAM: stream.stream,
    NATS_SUBJECT_PREFIX: stream.subjectPrefix,
    GATEWAY_PORT: String(gateway),
    TICKET_PORT: String(ticket),
    RESERVATION_PORT: String(reservation),
    PRICE_PORT: String(price),
    VIEW_PORT: String(view),
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT_BASE: String(await freePortRun(3)),
  };
});

afterAll(async () => {
  await stream?.delete();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('serves the supergraph on embedded stores with demo data, stops on Ctrl-C, and restarts without seeding twice', async () => {
  const first = startSupergraph();
  const firstExit = exitOf(first);
  try {
    await waitForGateway();
    const priced = await eventually(async () => {
      const result = await graphql(gatewayUrl, TicketsDocument, { variables: { first: 100 } });
      const edges = result.data!.tickets.edges;
      expect(edges).toHaveLength(5);
      expect(edges.every((e) => e.node.status === 'AVAILABLE' && e.node.price !== null)).toBe(true);
      return edges;
    }, 20_000);
    expect(priced[0]!.node.price!.finalPrice).toBeGreaterThan(0);
    await eventually(async () => {
      const board = await graphql(gatewayUrl, TicketBoardDocument, { variables: { first: 100 } });
      const edges = board.data!.ticketBoard.edges;
      expect(edges).toHaveLength(5);
      expect(edges.every((e) => e.node.finalPrice !== null)).toBe(true);
    }, 20_000);
  } finally {
    first.kill('SIGINT');
  }
  expect(await firstExit).toBe(0);
  for (const store of ['ticket', 'reservation', 'price']) {
    expect(existsSync(path.join(dataDir, store, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(dataDir, store, 'postgres', 'postmaster.pid'))).toBe(false);
  }
  expect(existsSync(path.join(dataDir, 'view', 'current'))).toBe(true);

  const second = startSupergraph();
  const secondExit = exitOf(second);
  try {
    await waitForGateway();
    const result = await graphql(gatewayUrl, TicketsDocument, { variables: { first: 100 } });
    expect(result.data!.tickets.edges).toHaveLength(5);
  } finally {
    second.kill('SIGINT');
  }
  expect(await secondExit).toBe(0);
}, 300_000);
