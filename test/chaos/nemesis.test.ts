/**
 * The nemesis, short and with fixed seeds: the SIGSTOP case and random crashes and freezes of
 * every process (NATS and PostgreSQL included) on one NATS server, then the stream leader of a
 * three-node cluster killed under load. Each run starts its own PostgreSQL, nats-server(s) and
 * processes, and any violation fails the test with the run's summary.
 */
import { expect, it } from '@jest/globals';
import { formatSummary, runNemesis, type NemesisRunOptions } from '../../chaos/run-nemesis.ts';

// Starting the system takes seconds on a quiet machine and minutes on a saturated one.
const RUN_TIMEOUT_MS = 15 * 60_000;

async function run(options: Omit<NemesisRunOptions, 'log'>) {
  const lines: string[] = [];
  const summary = await runNemesis({ ...options, log: (line) => lines.push(line) });
  process.stdout.write(`\n${lines.join('\n')}\n${formatSummary(summary)}`);
  return summary;
}

it(
  'when processes, NATS and PostgreSQL crash and freeze under load, no seat is lost or sold twice and everything converges',
  async () => {
    const summary = await run({ seed: 1, durationMs: 30_000, natsNodes: 1, sigstopCase: true, leaderKill: false });

    expect(summary.cases).toEqual([expect.objectContaining({ name: 'sigstop', passed: true })]);
    expect(summary.examples).toEqual([]);
    expect(summary.convergeMs).not.toBeNull();
    expect(summary.operations.ok).toBeGreaterThan(0);
    expect(Object.values(summary.faults).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
  },
  RUN_TIMEOUT_MS,
);

it(
  'when the stream leader of a three-node NATS cluster is killed under load, nothing is lost',
  async () => {
    const summary = await run({ seed: 2, durationMs: 0, natsNodes: 3, sigstopCase: false, leaderKill: true });

    expect(summary.faults).toEqual({ 'kill nats (stream leader)': 1 });
    expect(summary.examples).toEqual([]);
    expect(summary.convergeMs).not.toBeNull();
  },
  RUN_TIMEOUT_MS,
);
