/**
 * Keeps `npm start`'s processes running: one that exits unexpectedly is started again after a
 * delay that doubles with each crash in a row (up to a cap) and starts over once a run has lasted
 * long enough to count as healthy. A process that keeps crashing soon after it starts, or that
 * reports a configuration error (exit code 78), is given up on: restarting would not help.
 * While stopping, nothing is restarted.
 */

/** Exit code of a process that refused its configuration (EX_CONFIG). */
export const CONFIG_ERROR_EXIT_CODE = 78;

export interface RestartPolicy {
  /** Delay before the first restart after a healthy run, in ms (default 500); doubles with each crash in a row. */
  initialDelayMs: number;
  /** The longest delay before a restart, in ms (default 10 000). */
  maxDelayMs: number;
  /** A run at least this long counts as healthy, in ms (default 30 000): the next crash starts the count again. */
  healthyAfterMs: number;
  /** Crashes in a row, each before `healthyAfterMs`, after which the process is given up on (default 5). */
  maxFastCrashes: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  healthyAfterMs: 30_000,
  maxFastCrashes: 5,
};

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process's crashes so far: how many fast ones in a row, and the delay before the next restart. */
export interface CrashRecord {
  fastCrashes: number;
  nextDelayMs: number;
}

export type RestartDecision =
  { restart: true; delayMs: number; record: CrashRecord } | { restart: false; reason: string; exitCode: number };

export const firstCrashRecord = (policy: RestartPolicy): CrashRecord => ({
  fastCrashes: 0,
  nextDelayMs: policy.initialDelayMs,
});

export function describeExit(exit: Exit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/** What to do about a process that exited unexpectedly after running for `ranForMs`. */
export function decideRestart(
  policy: RestartPolicy,
  record: CrashRecord,
  exit: Exit,
  ranForMs: number,
): RestartDecision {
  if (exit.code === CONFIG_ERROR_EXIT_CODE) {
    return { restart: false, reason: 'configuration error (exit code 78); fix its settings', exitCode: exit.code };
  }
  // After a healthy run the crash starts a new series: first delay again, and not a fast crash.
  const healthy = ranForMs >= policy.healthyAfterMs;
  const since = healthy ? firstCrashRecord(policy) : record;
  const fastCrashes = healthy ? 0 : record.fastCrashes + 1;
  if (fastCrashes >= policy.maxFastCrashes) {
    const within = Math.round(policy.healthyAfterMs / 1000);
    return {
      restart: false,
      reason: `crashed ${fastCrashes} times in a row, each within ${within} s of starting (last: ${describeExit(exit)})`,
      exitCode: 1,
    };
  }
  return {
    restart: true,
    delayMs: since.nextDelayMs,
    record: { fastCrashes, nextDelayMs: Math.min(since.nextDelayMs * 2, policy.maxDelayMs) },
  };
}

/** What the supervisor needs of a child process (node's ChildProcess has it). */
export interface SupervisedProcess {
  readonly pid?: number;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  kill(signal: NodeJS.Signals): boolean;
}

export interface SupervisorOptions {
  policy: RestartPolicy;
  /** Starts the named process (again). */
  spawn: (name: string) => SupervisedProcess;
  /** One line per start, restart and give-up. */
  report: (line: string) => void;
  /** Called once a process is given up on; the supervisor then restarts nothing more. */
  onGiveUp: (name: string, reason: string, exitCode: number) => void;
  now?: () => number;
}

interface Supervised {
  child?: SupervisedProcess;
  startedAt: number;
  record: CrashRecord;
  restartTimer?: NodeJS.Timeout;
}

export interface Supervisor {
  start(name: string): void;
  /** The pid of every process running now, by name. */
  pids(): Map<string, number>;
  /** Restarts nothing more, sends `signal` to every process and resolves once all have exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const { policy, report } = options;
  const now = options.now ?? Date.now;
  const supervised = new Map<string, Supervised>();
  const exited = new Map<SupervisedProcess, Promise<void>>();
  let stopping = false;

  function launch(name: string, entry: Supervised): void {
    const child = options.spawn(name);
    entry.child = child;
    entry.startedAt = now();
    report(`${name} started (pid ${child.pid})`);
    exited.set(
      child,
      new Promise((resolve) =>
        child.once('exit', (code, signal) => {
          exited.delete(child);
          entry.child = undefined;
          resolve();
          if (!stopping) onUnexpectedExit(name, entry, { code, signal });
        }),
      ),
    );
  }

  function onUnexpectedExit(name: string, entry: Supervised, exit: Exit): void {
    const ranForMs = now() - entry.startedAt;
    const decision = decideRestart(policy, entry.record, exit, ranForMs);
    if (!decision.restart) {
      report(`giving up on ${name}: ${decision.reason}`);
      stopping = true;
      options.onGiveUp(name, decision.reason, decision.exitCode);
      return;
    }
    entry.record = decision.record;
    report(
      `${name} exited (${describeExit(exit)}) after ${(ranForMs / 1000).toFixed(1)} s; ` +
        `restarting in ${decision.delayMs / 1000} s`,
    );
    entry.restartTimer = setTimeout(() => {
      entry.restartTimer = undefined;
      if (!stopping) launch(name, entry);
    }, decision.delayMs);
  }

  return {
    start(name) {
      const entry: Supervised = { startedAt: now(), record: firstCrashRecord(policy) };
      supervised.set(name, entry);
      launch(name, entry);
    },
    pids() {
      const pids = new Map<string, number>();
      for (const [name, { child }] of supervised) if (child?.pid !== undefined) pids.set(name, child.pid);
      return pids;
    },
    async stop(signal) {
      stopping = true;
      for (const entry of supervised.values()) {
        clearTimeout(entry.restartTimer);
        entry.child?.kill(signal);
      }
      await Promise.all(exited.values());
    },
  };
}
