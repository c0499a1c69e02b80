/**
 * Starts the system's processes, each its own Node process as in production (`node --import tsx
 * <entry>`), on a loopback port chosen here, ready when `/health/ready` answers 200. A process can
 * be signalled by its pid (a crash, a freeze) and started again on the same port and settings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './listening.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');

export interface ServiceProcess {
  name: string;
  port: number;
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  /** The pid of the process running now (a restart changes it). */
  readonly pid: number;
  /** Whether the process has not exited (a frozen one is running). */
  running(): boolean;
  /** Sends `signal` to this process, and to nothing else (SIGSTOP, SIGCONT…). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL: no shutdown, no flush — a crash. Resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again (same entry, port and environment) after it exited; resolves when ready. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines it wrote, to explain a failure. */
  output(): string;
}

export interface ServiceSpec {
  name: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  env: Record<string, string>;
  port?: number;
  /** Where it answers `/health/ready` when not on `port` (ADMIN_PORT, set in `env`). */
  adminPort?: number;
  readyTimeoutMs?: number;
  /** Extra Node options (for example `--cpu-prof` while investigating). */
  nodeOptions?: string[];
}

export async function startService(spec: ServiceSpec): Promise<ServiceProcess> {
  const port = spec.port ?? (await freePort());
  const readyTimeoutMs = spec.readyTimeoutMs ?? 60_000;
  const tail = new OutputTail();
  let child: ChildProcess;

  function launch(): void {
    child = spawn(process.execPath, [...(spec.nodeOptions ?? []), '--import', 'tsx', spec.entry], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...spec.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    tail.follow(child);
  }

  const exited = (target: ChildProcess) => target.exitCode !== null || target.signalCode !== null;

  async function waitUntilReady(): Promise<void> {
    const current = child;
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (exited(current)) throw new Error(`${spec.name} exited during start:\n${tail.text()}`);
      const ready = await fetch(`http://127.0.0.1:${spec.adminPort ?? port}/health/ready`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return;
      await sleep(200);
    }
    await stopChild(current, 1000);
    throw new Error(`${spec.name} was not ready within ${readyTimeoutMs / 1000} s:\n${tail.text()}`);
  }

  launch();
  const service: ServiceProcess = {
    name: spec.name,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    get pid() {
      return child.pid!;
    },
    running: () => !exited(child),
    signal: (signal) => void child.kill(signal),
    async kill() {
      if (exited(child)) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
    async restart() {
      if (!exited(child)) throw new Error(`${spec.name} is still running (pid ${child.pid})`);
      launch();
      await waitUntilReady();
    },
    stop: (graceMs = 15_000) => stopChild(child, graceMs),
    output: () => tail.text(),
  };
  await waitUntilReady();
  return service;
}

/** The last lines a process wrote, across its restarts. */
class OutputTail {
  private readonly lines: string[] = [];

  follow(child: ChildProcess): void {
    const collect = (chunk: Buffer) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      this.lines.splice(0, Math.max(0, this.lines.length - 40));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  text(): string {
    return this.lines.join('\n');
  }
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A frozen process would never see SIGTERM.
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
