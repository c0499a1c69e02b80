/**
 * Fault: NATS is killed (SIGKILL) while reservations and cancellations run, then restarted on the
 * same store. Writes keep succeeding (the outboxes hold their events); when NATS is back every
 * event is published and applied exactly once, and every end state converges.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { eventually } from '../support/eventually.ts';
import { startTestNatsServer, type TestNatsServer } from '../support/nats-server.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { report, SagaWorkload } from './saga-workload.ts';

let nats: TestNatsServer;
let supergraph: TestSupergraph;

beforeAll(async () => {
  nats = await startTestNatsServer();
  supergraph = await startTestSupergraph({ natsUrl: nats.url });
});

afterAll(async () => {
  await supergraph?.stop();
  await nats?.dispose();
});

it('when NATS dies during reservations and cancellations, nothing acknowledged is lost or applied twice', async () => {
  const workload = await SagaWorkload.create(supergraph);
  await workload.registerTickets(40);
  await workload.converge();

  const reserving = workload.reserveAll({ concurrency: 4, pauseMs: 20 });
  // Killed mid-way: some reservations are through, most are still to come.
  await eventually(async () => expect(workload.acknowledged).toBeGreaterThanOrEqual(4), 30_000, 10);
  await nats.kill();
  await reserving;
  await workload.cancelSome({ every: 2, concurrency: 4 });
  // Every write was acknowledged although NATS was down, and its events wait in the outboxes.
  expect(workload.acknowledged).toBe(workload.attempted);
  expect(await workload.unpublishedEvents()).toBeGreaterThan(0);

  await nats.start();
  const convergeMs = await workload.converge();
  const figures = await workload.figures('NATS killed and restarted during reservations and cancellations', convergeMs);
  report(figures);
  expect(figures).toMatchObject({ lost: 0, appliedTwice: 0 });
}, 120_000);
