/**
 * The processes under test, each its own Node process as in production (`node --import tsx
 * <entry>`), on a loopback port chosen here, ready when `/health/ready` answers 200.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  name: string;
  port: number;
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  pid: number;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** A free loopback port: bound, read and released (the process binds it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ServiceSpec {
  name: string;
  /** Entry file, relative to the repository root. */
  entry: string;
  env: Record<string, string>;
  port?: number;
  readyTimeoutMs?: number;
  /** Extra Node options (for example `--cpu-prof` while investigating). */
  nodeOptions?: string[];
}

export async function startService(spec: ServiceSpec): Promise<ServiceProcess> {
  const port = spec.port ?? (await freePort());
  const child = spawn(process.execPath, [...(spec.nodeOptions ?? []), '--import', 'tsx', spec.entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...spec.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = keepTail(child);
  let exited = false;
  child.once('exit', () => (exited = true));
  const service: ServiceProcess = {
    name: spec.name,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    pid: child.pid!,
    stop: (graceMs = 15_000) => stopChild(child, graceMs),
  };
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${spec.name} exited during start:\n${output()}`);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return service;
    await sleep(200);
  }
  await service.stop(1000);
  throw new Error(`${spec.name} was not ready within ${(spec.readyTimeoutMs ?? 60_000) / 1000} s:\n${output()}`);
}

/** The last lines a process wrote, to explain a failed start. */
function keepTail(child: ChildProcess): () => string {
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => lines.join('\n');
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
