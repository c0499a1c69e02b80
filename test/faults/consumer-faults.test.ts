/**
 * Faults on the consuming side, each with its figures: price stopped during cancellations; a
 * consumer killed after its effect committed but before its ack; two instances of price (sharing
 * one durable consumer) and two relays on one outbox at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/eventually.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { report, SagaWorkload } from './saga-workload.ts';

const root = path.resolve(import.meta.dirname, '../..');
let supergraph: TestSupergraph | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await supergraph?.stop();
  supergraph = undefined;
});

/** Runs price as a process of its own, as in production, so it can really be killed. */
function startPriceProcess(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null> } {
  const { NODE_OPTIONS: _jest, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/price/main.ts'], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: 'ignore',
  });
  children.push(child);
  return {
    child,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ? 137 : code))),
  };
}

describe('faults on the consuming side', () => {
  it('when price is stopped during cancellations, they succeed and price catches up exactly once', async () => {
    supergraph = await startTestSupergraph();
    const workload = await SagaWorkload.create(supergraph);
    await workload.registerTickets(30);
    await workload.reserveAll({ concurrency: 4 });
    await workload.converge();

    await supergraph.stopSubgraph('price');
    await workload.cancelSome({ every: 2, concurrency: 4 });
    expect(workload.acknowledged).toBe(workload.attempted);
    await supergraph.startSubgraph('price');

    const convergeMs = await workload.converge();
    const figures = await workload.figures('price stopped during cancellations, then started', convergeMs);
    report(figures);
    expect(figures).toMatchObject({ lost: 0, appliedTwice: 0 });
  }, 120_000);

  it('when a consumer is killed after its effect but before its ack, the redelivery changes nothing', async () => {
    supergraph = await startTestSupergraph();
    const workload = await SagaWorkload.create(supergraph);
    await workload.registerTickets(20);
    await workload.reserveAll({ concurrency: 4 });
    await workload.converge();

    // Swap the in-process price for a process that kills itself (SIGKILL) right after committing
    // its first cancellation, before acknowledging it.
    const env: Record<string, string> = { ...supergraph.envOf('price'), CONSUMER_ACK_WAIT_MS: '1000' };
    await supergraph.stopSubgraph('price');
    const doomed = startPriceProcess({ ...env, FAULT_CRASH_BEFORE_ACK_ON: 'ReservationCancelled' });
    await workload.cancelSome({ every: 2, concurrency: 4 });
    expect(await doomed.exited).toBe(137);

    const healed = Date.now();
    const survivor = startPriceProcess(env);
    const convergeMs = await workload.converge();
    const figures = await workload.figures('price killed after committing an event, before its ack', convergeMs);
    report({ ...figures, convergeMs: Date.now() - healed });
    expect(figures).toMatchObject({ lost: 0, appliedTwice: 0 });
    await eventually(async () => expect((await fetch(`http://127.0.0.1:${env.PORT}/health/ready`)).status).toBe(200));
    // The event the crash left unacknowledged came again, and the inbox made it a no-op.
    const metrics = await (await fetch(`http://127.0.0.1:${env.PORT}/metrics`)).text();
    expect(Number(/^consumer_redelivered_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
  }, 120_000);

  it('when two price instances share the consumer and two relays share an outbox, each event is applied once', async () => {
    supergraph = await startTestSupergraph();
    await Promise.all([supergraph.startReplica('price'), supergraph.startReplica('reservation')]);
    const workload = await SagaWorkload.create(supergraph);
    await workload.registerTickets(40);
    await workload.reserveAll({ concurrency: 6 });
    await workload.cancelSome({ every: 2, concurrency: 6 });

    const convergeMs = await workload.converge();
    const figures = await workload.figures('two price instances and two relays at once', convergeMs);
    report(figures);
    expect(figures).toMatchObject({ lost: 0, appliedTwice: 0 });
    await eventually(async () => expect(await workload.mismatches()).toBe(0));
  }, 120_000);
});
