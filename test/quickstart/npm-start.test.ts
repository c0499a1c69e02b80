/**
 * The quick start, as a new user runs it: `npm start` with no database server configured brings
 * up the supergraph on embedded PostgreSQL stores, seeds demo data once, serves it through the
 * gateway, restarts a process that dies, and stops cleanly on Ctrl-C (SIGINT to its whole process
 * group, as a terminal sends it). Ports, data folder and stream are the test's own.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { graphql } from '../../operations/client.ts';
import { TicketBoardDocument, TicketsDocument } from '../../operations/documents.generated.ts';
import { eventually } from '../support/eventually.ts';
import { createTestStream, type TestStream } from '../support/nats.ts';
import { freePort, freePortRun } from '../../system/listening.ts';
import { isRunning, postmasterPid, runningInGroup, startNpmStart, type NpmStart } from './npm-start-process.ts';

let dataDir: string;
let stream: TestStream;
let env: NodeJS.ProcessEnv;
let gatewayUrl: string;
let embeddedPgPortBase: number;
const STORES = ['ticket', 'reservation', 'price'];
const storeDir = (name: string) => path.join(dataDir, name, 'postgres');
const started: NpmStart[] = [];

function startSupergraph(extraEnv: NodeJS.ProcessEnv = {}): NpmStart {
  const run = startNpmStart({ ...env, ...extraEnv });
  started.push(run);
  return run;
}

async function waitForGateway(): Promise<void> {
  await eventually(
    async () => {
      const response = await fetch(gatewayUrl.replace('/graphql', '/health/ready'));
      expect(response.status).toBe(200);
    },
    300_000,
    500,
  );
}

/** What shutting down may never log: warnings, errors, a lost database, a stop deadline. */
const NOISE = /"level":"(warn|error|fatal)"|Can't reach database server|did not stop within|failed to stop/;

/**
 * Ctrl-C: SIGINT to the whole group. Within 10 s every process the launcher started, the group
 * and the embedded stores are gone, `npm start` ended as an interrupted command, every process
 * logged its own clean stop, and nothing was logged as a warning or an error.
 */
async function pressCtrlC(run: NpmStart): Promise<void> {
  const postmasters = STORES.map((name) => postmasterPid(storeDir(name)));
  const launched = run.allPids();
  const from = run.lines.length;
  const sent = Date.now();
  run.signalGroup('SIGINT');
  // npm itself is in the group: an empty group means `npm start` has ended too.
  await eventually(
    async () => {
      expect(runningInGroup(run.groupId)).toEqual([]);
      expect([...launched, ...postmasters].filter(isRunning)).toEqual([]);
    },
    10_000,
    50,
  );
  expect(Date.now() - sent).toBeLessThan(10_000);
  const { code, signal } = await run.exited;
  // A shell reports a command killed by SIGINT as 130.
  expect(code === 0 || code === 130 || signal === 'SIGINT').toBe(true);
  const shutdownLines = run.lines.slice(from);
  expect(shutdownLines.filter((line) => NOISE.test(line))).toEqual([]);
  for (const name of ['gateway', ...STORES, 'view']) {
    expect(shutdownLines.some((line) => line.includes(`"msg":"${name} stopped"`))).toBe(true);
  }
  for (const store of STORES) expect(existsSync(path.join(storeDir(store), 'postmaster.pid'))).toBe(false);
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
  embeddedPgPortBase = await freePortRun(3);
  const { DATABASE_URL: _unused, ...inherited } = process.env;
  env = {
    ...inherited,
    NODE_OPTIONS: '',
    // Info, so that each process's own "stopped" line shows it stopped rather than died.
    LOG_LEVEL: 'info',
    NATS_URL: stream.url,
    NATS_STREAM: stream.stream,
    NATS_SUBJECT_PREFIX: stream.subjectPrefix,
    GATEWAY_PORT: String(gateway),
    TICKET_PORT: String(ticket),
    RESERVATION_PORT: String(reservation),
    PRICE_PORT: String(price),
    VIEW_PORT: String(view),
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT_BASE: String(embeddedPgPortBase),
  };
});

afterAll(async () => {
  // A failed test may leave its `npm start` running: only the groups this file started are stopped.
  for (const run of started) {
    if (runningInGroup(run.groupId).length > 0) run.signalGroup('SIGKILL');
  }
  for (const store of STORES) {
    if (dataDir && existsSync(path.join(storeDir(store), 'postmaster.pid'))) {
      process.kill(postmasterPid(storeDir(store)), 'SIGINT');
    }
  }
  await stream?.delete();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function demoTicketsPriced(): Promise<void> {
  const result = await graphql(gatewayUrl, TicketsDocument, { variables: { first: 100 } });
  expect(result.errors).toBeUndefined();
  const edges = result.data!.tickets.edges;
  expect(edges).toHaveLength(5);
  expect(edges.every((e) => e.node.status === 'AVAILABLE' && e.node.price !== null)).toBe(true);
  expect(edges[0]!.node.price!.finalPrice).toBeGreaterThan(0);
}

it('serves the supergraph on embedded stores with demo data, restarts a killed subgraph, stops on Ctrl-C, and restarts without seeding twice', async () => {
  const first = startSupergraph();
  await waitForGateway();
  await eventually(demoTicketsPriced, 60_000);
  await eventually(async () => {
    const board = await graphql(gatewayUrl, TicketBoardDocument, { variables: { first: 100 } });
    const edges = board.data!.ticketBoard.edges;
    expect(edges).toHaveLength(5);
    expect(edges.every((e) => e.node.finalPrice !== null)).toBe(true);
  }, 60_000);

  // kill -9 price: the launcher starts it again, which stops the store the killed one left running.
  const killed = first.pids().get('price')!;
  const orphanedStore = postmasterPid(storeDir('price'));
  const from = first.lines.length;
  process.kill(killed, 'SIGKILL');
  await first.waitForLine(
    /^\[start\] price exited \(signal SIGKILL\) after [\d.]+ s; restarting in [\d.]+ s$/,
    30_000,
    from,
  );
  const tickets = await graphql(gatewayUrl, TicketsDocument, { variables: { first: 100 } });
  expect(tickets.data!.tickets.edges).toHaveLength(5);
  await first.waitForLine(/^\[start\] price started \(pid \d+\)$/, 30_000, from);
  await eventually(demoTicketsPriced, 180_000, 500);
  expect(first.pids().get('price')).not.toBe(killed);
  expect(isRunning(orphanedStore)).toBe(false);

  await pressCtrlC(first);
  expect(existsSync(path.join(dataDir, 'view', 'current'))).toBe(true);

  const second = startSupergraph();
  await waitForGateway();
  const result = await graphql(gatewayUrl, TicketsDocument, { variables: { first: 100 } });
  expect(result.data!.tickets.edges).toHaveLength(5);
  await pressCtrlC(second);
}, 900_000);

it('gives up on a process that keeps crashing soon after it starts, says why, and stops the rest', async () => {
  // Price's embedded PostgreSQL cannot bind its port, so price fails every start.
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(embeddedPgPortBase + 2, '127.0.0.1', resolve));
  try {
    const run = startSupergraph({ RESTART_MAX_FAST_CRASHES: '3', RESTART_HEALTHY_AFTER_MS: '600000' });
    const { code } = await run.exited;
    expect(code).not.toBe(0);
    expect(run.lines).toContainEqual(
      expect.stringMatching(/^\[start\] giving up on price: crashed 3 times in a row, each within 600 s of starting/),
    );
    expect(run.lines.filter((line) => /^\[start\] price exited .*; restarting in/.test(line))).toHaveLength(2);
    await eventually(async () => {
      expect(runningInGroup(run.groupId)).toEqual([]);
      expect(run.allPids().filter(isRunning)).toEqual([]);
    }, 30_000);
    for (const store of STORES) expect(existsSync(path.join(storeDir(store), 'postmaster.pid'))).toBe(false);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
}, 600_000);
