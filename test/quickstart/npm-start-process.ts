/**
 * `npm start` run as a terminal runs it: in a process group of its own, so that a test can send
 * Ctrl-C's SIGINT to the whole group. Its output is kept line by line, and the pid of every
 * process the launcher started is read from its `[start] <name> started (pid N)` lines.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');
const STARTED = /^\[start\] (\w+) started \(pid (\d+)\)$/;

export interface NpmStart {
  /** The group's id: the pid of `npm` itself. */
  groupId: number;
  /** Every line written so far, stdout and stderr interleaved. */
  lines: string[];
  /** Resolves with how `npm start` ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The latest pid the launcher reported for each process. */
  pids(): Map<string, number>;
  /** Every pid the launcher ever reported. */
  allPids(): number[];
  /** Resolves with the first line from `from` on that matches; rejects after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number, from?: number): Promise<string>;
  /** Sends `signal` to every process of the group, as a terminal's Ctrl-C does. */
  signalGroup(signal: NodeJS.Signals): void;
}

export function startNpmStart(env: NodeJS.ProcessEnv): NpmStart {
  const child = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const started: [string, number][] = [];
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      const match = STARTED.exec(line);
      if (match) started.push([match[1]!, Number(match[2])]);
      for (const listener of listeners) listener();
    });
  }
  return {
    groupId: child.pid!,
    lines,
    // 'close', not 'exit': the output of every process sharing its pipes has been read by then.
    exited: new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))),
    pids: () => new Map(started),
    allPids: () => started.map(([, pid]) => pid),
    waitForLine(pattern, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.slice(from).find((l) => pattern.test(l));
          if (line === undefined) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(line);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${lines.slice(-20).join('\n')}`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    signalGroup: (signal) => process.kill(-child.pid!, signal),
  };
}

/** `/proc/<pid>/stat` fields after the command (which may contain spaces), or undefined once gone. */
function statOf(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Running: it exists and is not a zombie waiting for a parent to reap it. */
export function isRunning(pid: number): boolean {
  const fields = statOf(pid);
  return fields !== undefined && fields[0] !== 'Z';
}

/** The processes of a process group still running. */
export function runningInGroup(groupId: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const fields = statOf(pid);
      return fields !== undefined && fields[0] !== 'Z' && Number(fields[2]) === groupId;
    });
}

/** The pid of the embedded PostgreSQL running on a data directory, from its postmaster.pid. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}
