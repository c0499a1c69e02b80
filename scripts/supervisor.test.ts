import { EventEmitter } from 'node:events';
import { describe, expect, it, jest } from '@jest/globals';
import {
  createSupervisor,
  decideRestart,
  firstCrashRecord,
  type CrashRecord,
  type RestartPolicy,
  type SupervisedProcess,
} from './supervisor.ts';

const policy: RestartPolicy = { initialDelayMs: 500, maxDelayMs: 10_000, healthyAfterMs: 30_000, maxFastCrashes: 5 };
const crash = { code: 1, signal: null };

/** The delays of `crashes` crashes in a row, each after running `ranForMs`, until one is not restarted. */
function delaysOf(crashes: number, ranForMs: number, rules: RestartPolicy = policy): (number | string)[] {
  let record: CrashRecord = firstCrashRecord(rules);
  const delays: (number | string)[] = [];
  for (let i = 0; i < crashes; i++) {
    const decision = decideRestart(rules, record, crash, ranForMs);
    if (!decision.restart) return [...delays, decision.reason];
    delays.push(decision.delayMs);
    record = decision.record;
  }
  return delays;
}

describe('deciding on a restart', () => {
  it('doubles the delay with each crash in a row, up to the cap', () => {
    expect(delaysOf(7, 1000, { ...policy, maxFastCrashes: 100 })).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it('gives up after repeated fast crashes and says why', () => {
    expect(delaysOf(5, 1000)).toEqual([
      500,
      1000,
      2000,
      4000,
      'crashed 5 times in a row, each within 30 s of starting (last: exit code 1)',
    ]);
  });

  it('keeps restarting a process that crashes only after healthy runs, from the first delay each time', () => {
    expect(delaysOf(20, 30_000)).toEqual(Array(20).fill(500));
  });

  it('starts the count again once a run was healthy', () => {
    const afterFastCrashes = { fastCrashes: 4, nextDelayMs: 8000 };
    const decision = decideRestart(policy, afterFastCrashes, crash, 60_000);
    expect(decision).toEqual({ restart: true, delayMs: 500, record: { fastCrashes: 0, nextDelayMs: 1000 } });
  });

  it('does not restart a process that refused its configuration (exit code 78)', () => {
    const decision = decideRestart(policy, firstCrashRecord(policy), { code: 78, signal: null }, 100_000);
    expect(decision).toMatchObject({ restart: false, exitCode: 78 });
  });

  it('names the signal that killed the process', () => {
    const rules = { ...policy, maxFastCrashes: 1 };
    const decision = decideRestart(rules, firstCrashRecord(rules), { code: null, signal: 'SIGKILL' }, 10);
    expect(decision).toMatchObject({ restart: false, reason: expect.stringContaining('signal SIGKILL') });
  });
});

class FakeProcess extends EventEmitter implements SupervisedProcess {
  static nextPid = 1000;
  readonly pid = FakeProcess.nextPid++;
  readonly signals: NodeJS.Signals[] = [];

  kill(signal: NodeJS.Signals): boolean {
    this.signals.push(signal);
    setImmediate(() => this.exit(null, signal));
    return true;
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    this.emit('exit', code, signal);
  }
}

/** A supervisor of fake processes, restarting at once; `spawned` resolves each new process. */
function superviseFakes(rules: Partial<RestartPolicy> = {}) {
  const processes: FakeProcess[] = [];
  const lines: string[] = [];
  const waiting: ((child: FakeProcess) => void)[] = [];
  const gaveUp: { name: string; reason: string; exitCode: number }[] = [];
  const supervisor = createSupervisor({
    policy: { ...policy, initialDelayMs: 1, maxDelayMs: 4, ...rules },
    spawn: () => {
      const child = new FakeProcess();
      processes.push(child);
      waiting.shift()?.(child);
      return child;
    },
    report: (line) => lines.push(line),
    onGiveUp: (name, reason, exitCode) => gaveUp.push({ name, reason, exitCode }),
  });
  const nextSpawn = () => new Promise<FakeProcess>((resolve) => waiting.push(resolve));
  return { supervisor, processes, lines, gaveUp, nextSpawn };
}

describe('the supervisor', () => {
  it('starts a process that exited unexpectedly again, and says so with its pid, exit and delay', async () => {
    const { supervisor, processes, lines, nextSpawn } = superviseFakes();
    supervisor.start('price');
    const first = processes[0]!;
    const restarted = nextSpawn();
    first.exit(1);
    const second = await restarted;
    expect(second.pid).not.toBe(first.pid);
    expect(supervisor.pids()).toEqual(new Map([['price', second.pid]]));
    expect(lines).toEqual([
      `price started (pid ${first.pid})`,
      expect.stringMatching(/^price exited \(exit code 1\) after \d+\.\d s; restarting in 0\.001 s$/),
      `price started (pid ${second.pid})`,
    ]);
    await supervisor.stop('SIGTERM');
  });

  it('gives up on a process that keeps crashing fast, and restarts nothing more', async () => {
    const { supervisor, processes, lines, gaveUp, nextSpawn } = superviseFakes({ maxFastCrashes: 3 });
    supervisor.start('view');
    supervisor.start('price');
    for (let i = 0; i < 2; i++) {
      const restarted = nextSpawn();
      processes.find((p) => supervisor.pids().get('price') === p.pid)!.exit(1);
      await restarted;
    }
    processes.find((p) => supervisor.pids().get('price') === p.pid)!.exit(1);
    expect(gaveUp).toEqual([
      { name: 'price', reason: expect.stringContaining('crashed 3 times in a row'), exitCode: 1 },
    ]);
    expect(lines.at(-1)).toMatch(/^giving up on price: crashed 3 times in a row/);
    await supervisor.stop('SIGTERM');
    expect(processes).toHaveLength(4);
    expect(supervisor.pids().size).toBe(0);
  });

  it('stops every process with the signal given, restarts none of them, and resolves once all have exited', async () => {
    const { supervisor, processes } = superviseFakes();
    supervisor.start('ticket');
    supervisor.start('gateway');
    await supervisor.stop('SIGTERM');
    expect(processes.map((p) => p.signals)).toEqual([['SIGTERM'], ['SIGTERM']]);
    expect(processes).toHaveLength(2);
    expect(supervisor.pids().size).toBe(0);
  });

  it('does not restart a process whose delay runs out while stopping', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { supervisor, processes } = superviseFakes({ initialDelayMs: 50 });
      supervisor.start('ticket');
      processes[0]!.exit(1);
      await supervisor.stop('SIGTERM');
      jest.advanceTimersByTime(1000);
      expect(processes).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
