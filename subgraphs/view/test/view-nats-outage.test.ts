/**
 * The view under a NATS crash: it keeps serving its store while NATS is away, and once NATS is
 * back it applies what was published meanwhile, each event once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { graphql } from '../../../operations/client.ts';
import { TicketBoardDocument } from '../../../operations/documents.generated.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { startTestNatsServer, type TestNatsServer } from '../../../test/support/nats-server.ts';
import { createTestStream, type TestStream } from '../../../test/support/nats.ts';
import { createTestPublisher, type TestPublisher } from '../../../test/support/publisher.ts';
import { testServiceEnv } from '../../../test/support/supergraph.ts';
import { loadViewConfig } from '../config.ts';
import { startViewService, type RunningView } from '../service.ts';
import { aSeedScenario, STANDARD_PRICE, VIP_PRICE } from './board-events.ts';

let nats: TestNatsServer;
let stream: TestStream;
let dataDir: string;
let view: RunningView;

async function board(): Promise<Record<string, { status: string; finalPrice: number | null }>> {
  const result = await graphql(view.url, TicketBoardDocument, { variables: { first: 100 } });
  expect(result.errors).toBeUndefined();
  return Object.fromEntries(result.data!.ticketBoard.edges.map((e) => [e.node.ticketId, e.node]));
}

async function publishing<T>(work: (publisher: TestPublisher) => Promise<T>): Promise<T> {
  const publisher = await createTestPublisher(stream);
  try {
    return await work(publisher);
  } finally {
    await publisher.close();
  }
}

beforeAll(async () => {
  nats = await startTestNatsServer();
  stream = createTestStream(nats.url);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketing-view-outage-'));
  view = await startViewService(
    loadViewConfig({ ...testServiceEnv(stream), VIEW_DATA_DIR: dataDir, VIEW_INSTANCE_ID: 'view-outage' }),
  );
});

afterAll(async () => {
  await view?.stop();
  await nats?.dispose();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('serves its boards while NATS is down and catches up on what was published meanwhile', async () => {
  const before = aSeedScenario(new Date(Date.now() - 60_000));
  await publishing(async (p) => {
    for (const event of before.untilReserved) await p.publish(event);
  });
  await eventually(async () => expect((await board())[before.ticketId]).toMatchObject({ status: 'RESERVED' }));

  await nats.kill();
  expect((await board())[before.ticketId]).toMatchObject({ status: 'RESERVED', finalPrice: VIP_PRICE.finalPrice });
  await nats.start();

  const after = aSeedScenario();
  await publishing(async (p) => {
    for (const event of [...before.events.slice(5), ...after.events]) await p.publish(event);
  });
  await eventually(async () => {
    const now = await board();
    expect(now[before.ticketId]).toMatchObject({ status: 'AVAILABLE', finalPrice: STANDARD_PRICE.finalPrice });
    expect(now[after.ticketId]).toMatchObject({ status: 'AVAILABLE', finalPrice: STANDARD_PRICE.finalPrice });
  }, 30_000);
}, 60_000);
