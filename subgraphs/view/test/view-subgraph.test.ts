/**
 * The view subgraph against a real NATS JetStream, over HTTP: boards built only from events,
 * caught up by a view started late, kept identical across replicas with stores of their own, and
 * rebuilt from the first event into exactly the boards the live projection made.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'libsql';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphql } from '../../../operations/client.ts';
import {
  ReservationBoardDocument,
  TicketBoardDocument,
  type ReservationBoardQuery,
} from '../../../operations/documents.generated.ts';
import { ensureStream } from '../../../platform/events/jetstream.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { createTestStream, type TestStream } from '../../../test/support/nats.ts';
import { createTestPublisher, type TestPublisher } from '../../../test/support/publisher.ts';
import { testServiceEnv } from '../../../test/support/supergraph.ts';
import { adminToken, tokenFor } from '../../../test/support/tokens.ts';
import { loadViewConfig } from '../config.ts';
import { startViewService, type RunningView } from '../service.ts';
import { aSeedScenario, boardEvents, STANDARD_PRICE, VIP_PRICE, type SeedScenario } from './board-events.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const USERS = ['alice', 'bob', 'carol', 'dave'];

let stream: TestStream;
let publisher: TestPublisher;
let admin: string;
const dirs: string[] = [];
const views: RunningView[] = [];
const scenarios: Record<string, SeedScenario> = {};

async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketing-view-test-'));
  dirs.push(dir);
  return dir;
}

const viewEnv = (dataDir: string) => ({
  ...testServiceEnv(stream),
  VIEW_DATA_DIR: dataDir,
  VIEW_INSTANCE_ID: `view-test-${stream.suffix}`,
});

async function startView(dataDir: string): Promise<RunningView> {
  const view = await startViewService(loadViewConfig(viewEnv(dataDir)));
  views.push(view);
  return view;
}

async function stopView(view: RunningView): Promise<void> {
  await view.stop();
  views.splice(views.indexOf(view), 1);
}

async function readiness(view: RunningView): Promise<Record<string, unknown>> {
  const response = await fetch(view.url.replace('/graphql', '/health/ready'));
  return { httpStatus: response.status, ...((await response.json()) as Record<string, unknown>) };
}

async function publishAll(events: readonly Parameters<TestPublisher['publish']>[0][]): Promise<void> {
  for (const event of events) await publisher.publish(event);
}

/** Everything a view serves: the ticket board and every test user's reservation board. */
async function boardsOf(view: RunningView) {
  const tickets = await graphql(view.url, TicketBoardDocument, { variables: { first: 100 } });
  expect(tickets.errors).toBeUndefined();
  const reservations: Record<string, ReservationBoardQuery['reservationBoard']> = {};
  for (const userId of USERS) {
    const result = await graphql(view.url, ReservationBoardDocument, {
      variables: { userId, first: 100 },
      token: admin,
    });
    expect(result.errors).toBeUndefined();
    reservations[userId] = result.data!.reservationBoard;
  }
  return { tickets: tickets.data!.ticketBoard, reservations };
}

async function withJetStream<T>(work: (jsm: JetStreamManager, connection: NatsConnection) => Promise<T>): Promise<T> {
  const connection = await connect({ servers: stream.url });
  try {
    return await work(await jetstreamManager(connection), connection);
  } finally {
    await connection.close();
  }
}

const streamLastSequence = () => withJetStream(async (jsm) => (await jsm.streams.info(stream.stream)).state.last_seq);

/** Waits until the view has applied everything in the stream. */
async function caughtUp(view: RunningView): Promise<void> {
  const head = await streamLastSequence();
  await eventually(async () => expect(await readiness(view)).toMatchObject({ lastAppliedSequence: head, lag: 0 }));
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

beforeAll(async () => {
  stream = createTestStream();
  // Created as the services create it: the events below are published before any view runs.
  await withJetStream((_, connection) => ensureStream(connection, stream));
  publisher = await createTestPublisher(stream);
  admin = await adminToken();
  scenarios.cancelled = aSeedScenario(minutesAgo(30), 'alice');
  scenarios.reserved = aSeedScenario(minutesAgo(20), 'bob');
  await publishAll(scenarios.cancelled.events);
  await publishAll(scenarios.reserved.untilReserved);
});

afterAll(async () => {
  for (const view of [...views]) await view.stop();
  await publisher?.close();
  await stream?.delete();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the view subgraph', () => {
  let first: RunningView;
  let firstDir: string;

  it('when started after events were published, builds its store from the stream before it is ready', async () => {
    firstDir = await newDataDir();
    first = await startView(firstDir);
    const head = await streamLastSequence();
    expect(await readiness(first)).toMatchObject({
      httpStatus: 200,
      status: 'ready',
      building: false,
      lastAppliedSequence: head,
      streamLastSequence: head,
      lag: 0,
    });

    const { tickets, reservations } = await boardsOf(first);
    const byTicket = Object.fromEntries(tickets.edges.map((e) => [e.node.ticketId, e.node]));
    expect(tickets.edges.map((e) => e.node.ticketId)).toEqual([
      scenarios.cancelled!.ticketId,
      scenarios.reserved!.ticketId,
    ]);
    expect(byTicket[scenarios.cancelled!.ticketId]).toMatchObject({ status: 'AVAILABLE', ...STANDARD_PRICE });
    expect(byTicket[scenarios.reserved!.ticketId]).toMatchObject({ status: 'RESERVED', ...VIP_PRICE });
    expect(reservations.alice!.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ status: 'CANCELLED', finalPrice: 90_000, vipDiscount: 0, userGrade: 'VIP' }),
    ]);
    expect(reservations.bob!.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ status: 'CONFIRMED', finalPrice: 81_000, vipDiscount: 9_000, cancelledAt: null }),
    ]);

    const metrics = await (await fetch(first.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/^view_lag_events\{service="view"\} 0$/m);
    expect(metrics).toMatch(new RegExp(`^view_last_applied_sequence\\{service="view"\\} ${head}$`, 'm'));
  });

  it('applies new events once each, in whatever order they arrive, and passes over invalid messages', async () => {
    scenarios.reordered = aSeedScenario(minutesAgo(10), 'carol');
    const events = [...scenarios.reordered.events].reverse();
    await publishAll(events);
    await publisher.publishAgain(events[2]!);
    await publisher.publishRaw('ticket.registered', '{"not":"an event"}');
    await caughtUp(first);

    const { tickets, reservations } = await boardsOf(first);
    expect(tickets.edges.at(-1)!.node).toMatchObject({
      ticketId: scenarios.reordered.ticketId,
      status: 'AVAILABLE',
      ...STANDARD_PRICE,
    });
    expect(reservations.carol!.edges).toEqual([
      expect.objectContaining({ node: expect.objectContaining({ status: 'CANCELLED', finalPrice: 90_000 }) }),
    ]);
    const metrics = await (await fetch(first.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/events_consumed_total\{[^}]*outcome="duplicate"[^}]*\} 1/);
    expect(metrics).toMatch(/events_consumed_total\{[^}]*outcome="passed-over"[^}]*\} 1/);
  });

  it('pages the ticket board in a stable order and filters it by status', async () => {
    const page1 = await graphql(first.url, TicketBoardDocument, { variables: { first: 2 } });
    const page2 = await graphql(first.url, TicketBoardDocument, {
      variables: { first: 2, after: page1.data!.ticketBoard.pageInfo.endCursor },
    });
    expect(page1.data!.ticketBoard.pageInfo.hasNextPage).toBe(true);
    expect([...page1.data!.ticketBoard.edges, ...page2.data!.ticketBoard.edges].map((e) => e.node.ticketId)).toEqual([
      scenarios.cancelled!.ticketId,
      scenarios.reserved!.ticketId,
      scenarios.reordered!.ticketId,
    ]);
    const reserved = await graphql(first.url, TicketBoardDocument, { variables: { status: 'RESERVED' } });
    expect(reserved.data!.ticketBoard.edges.map((e) => e.node.ticketId)).toEqual([scenarios.reserved!.ticketId]);
  });

  it('lets anonymous callers read the ticket board only, and a user only their own reservation board', async () => {
    const anonymous = await graphql(first.url, ReservationBoardDocument, { variables: {} });
    expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const bob = await tokenFor('bob', { grade: 'VIP' });
    const own = await graphql(first.url, ReservationBoardDocument, { variables: {}, token: bob });
    expect(own.data!.reservationBoard.edges).toHaveLength(1);
    const others = await graphql(first.url, ReservationBoardDocument, { variables: { userId: 'alice' }, token: bob });
    expect(others.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it('serves identical boards from a second replica with a store of its own', async () => {
    const second = await startView(await newDataDir());
    await caughtUp(first);
    await caughtUp(second);
    expect(await boardsOf(second)).toEqual(await boardsOf(first));
    await stopView(second);
  });

  it('`npm run view:rebuild` replays the stream into a new store with exactly the live boards, and the running view switches to it', async () => {
    await caughtUp(first);
    const live = await boardsOf(first);
    const before = (await readiness(first)).store;

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'subgraphs/view/rebuild.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, ...viewEnv(firstDir), LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    expect(stdout).toMatch(/view rebuilt up to stream sequence \d+/);

    await eventually(async () => expect((await readiness(first)).store).not.toBe(before));
    expect(await boardsOf(first)).toEqual(live);
    await eventually(async () => expect(await readdir(firstDir)).not.toContain(before));
  });

  it('when restarted on its folder, resumes where it stopped without rebuilding', async () => {
    const store = (await readiness(first)).store;
    await stopView(first);
    scenarios.meanwhile = aSeedScenario(minutesAgo(5), 'dave');
    await publishAll(scenarios.meanwhile.untilReserved);

    first = await startView(firstDir);
    expect((await readiness(first)).store).toBe(store);
    await caughtUp(first);
    const { reservations } = await boardsOf(first);
    expect(reservations.dave!.edges).toEqual([
      expect.objectContaining({ node: expect.objectContaining({ status: 'CONFIRMED', finalPrice: 81_000 }) }),
    ]);
  });

  it('rebuilds at start a store built with another schema version', async () => {
    const dir = await newDataDir();
    const view = await startView(dir);
    const store = String((await readiness(view)).store);
    await stopView(view);
    const db = new Database(path.join(dir, store));
    db.exec("UPDATE view_meta SET schema_version = 'an-older-schema'");
    db.close();

    const restarted = await startView(dir);
    expect((await readiness(restarted)).store).not.toBe(store);
    await caughtUp(restarted);
    await caughtUp(first);
    expect(await boardsOf(restarted)).toEqual(await boardsOf(first));
    expect(await readdir(dir)).not.toContain(store);
  });

  it('keeps a price that arrives before its ticket’s registration, and shows the ticket once registered', async () => {
    const ticketId = aSeedScenario().ticketId;
    await publisher.publish(boardEvents.priced(ticketId, minutesAgo(1)));
    await caughtUp(first);
    const before = await boardsOf(first);
    expect(before.tickets.edges.map((e) => e.node.ticketId)).not.toContain(ticketId);

    await publisher.publish(boardEvents.registered(ticketId, minutesAgo(2)));
    await caughtUp(first);
    const after = await boardsOf(first);
    expect(after.tickets.edges.at(-1)!.node).toMatchObject({ ticketId, status: 'AVAILABLE', ...STANDARD_PRICE });
  });
});
