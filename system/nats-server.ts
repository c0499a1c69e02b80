/**
 * nats-server processes with JetStream: one server, or a cluster of several on loopback (routes
 * between them, a store each), each a child of this process, found by its pid, never by name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsServers } from '../platform/config.ts';
import { assertJetStreamAt } from '../platform/events/jetstream.ts';
import { freePort } from './launcher.ts';

export interface NatsServerProcess {
  /** The server's name in its cluster (JetStream reports stream leaders by it). */
  name: string;
  url: string;
  readonly pid: number;
  running(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL: no shutdown, no flush — a crash. Resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and store; resolves once it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** `nats-server` from PATH, else where Debian installs it. */
export function natsServerBinary(): string {
  if (spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status === 0) return 'nats-server';
  if (existsSync('/usr/sbin/nats-server')) return '/usr/sbin/nats-server';
  throw new Error('nats-server is not installed (apt-get install nats-server, brew install nats-server)');
}

interface ServerOptions {
  name: string;
  port: number;
  storeDir: string;
  cluster?: { name: string; port: number; routePorts: number[] };
}

/** Whether something accepts connections on a loopback port. */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function createServer(binary: string, options: ServerOptions): NatsServerProcess {
  let child: ChildProcess | undefined;
  const args = ['-js', '-a', '127.0.0.1', '-p', String(options.port), '-sd', options.storeDir, '-n', options.name];
  if (options.cluster) {
    args.push('--cluster_name', options.cluster.name, '--cluster', `nats://127.0.0.1:${options.cluster.port}`);
    args.push('--routes', options.cluster.routePorts.map((port) => `nats://127.0.0.1:${port}`).join(','));
  }
  const exited = () => !child || child.exitCode !== null || child.signalCode !== null;

  return {
    name: options.name,
    url: `nats://127.0.0.1:${options.port}`,
    get pid() {
      return child?.pid ?? 0;
    },
    running: () => !exited(),
    signal: (signal) => void child?.kill(signal),
    async start() {
      if (!exited()) throw new Error(`nats-server ${options.name} is still running`);
      await mkdir(options.storeDir, { recursive: true });
      const started = spawn(binary, args, { stdio: 'ignore' });
      child = started;
      const failed = new Promise<never>((_, reject) => started.once('error', reject));
      failed.catch(() => {});
      for (let waited = 0; waited < 15_000; waited += 50) {
        if (exited()) throw new Error(`nats-server ${options.name} exited at start (port ${options.port} taken?)`);
        if (await Promise.race([answers(options.port), failed])) return;
        await sleep(50);
      }
      throw new Error(`nats-server ${options.name} did not answer on port ${options.port}`);
    },
    async kill() {
      if (exited()) return;
      const gone = new Promise((resolve) => child!.once('exit', resolve));
      child!.kill('SIGKILL');
      await gone;
    },
    async stop() {
      if (exited()) return;
      const gone = new Promise((resolve) => child!.once('exit', resolve));
      child!.kill('SIGCONT');
      child!.kill('SIGTERM');
      const timer = setTimeout(() => child!.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export interface NatsDeployment {
  /** NATS_URL for the system: every server, comma-separated. */
  url: string;
  servers: NatsServerProcess[];
  /** The server leading `stream` now (a single server leads every stream). */
  streamLeader(stream: string): Promise<NatsServerProcess | undefined>;
  stop(): Promise<void>;
}

/**
 * `size` servers with JetStream below `dir`: one alone, or a cluster on loopback whose every
 * member routes to the others. Resolves once JetStream answers (a cluster has elected its
 * meta leader).
 */
export async function startNatsDeployment(options: { size: number; dir: string }): Promise<NatsDeployment> {
  const binary = natsServerBinary();
  const clientPorts = await Promise.all(Array.from({ length: options.size }, () => freePort()));
  const routePorts = await Promise.all(Array.from({ length: options.size }, () => freePort()));
  const servers = clientPorts.map((port, i) =>
    createServer(binary, {
      name: `n${i + 1}`,
      port,
      storeDir: path.join(options.dir, `n${i + 1}`),
      cluster:
        options.size > 1
          ? { name: 'nemesis', port: routePorts[i]!, routePorts: routePorts.filter((_, j) => j !== i) }
          : undefined,
    }),
  );
  const url = servers.map((server) => server.url).join(',');
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    await Promise.all(servers.map((server) => server.start()));
    await waitForJetStream(url);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    servers,
    async streamLeader(stream) {
      if (servers.length === 1) return servers[0];
      const connection = await connect({ servers: natsServers(url), timeout: 2000 });
      try {
        const info = await (await jetstreamManager(connection)).streams.info(stream);
        return servers.find((server) => server.name === info.cluster?.leader);
      } finally {
        await connection.close();
      }
    },
    stop,
  };
}

/** Waits until JetStream answers at `url` (a cluster first elects its meta leader). */
export async function waitForJetStream(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertJetStreamAt(url);
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`JetStream did not answer at ${url}: ${(error as Error).message}`);
      await sleep(200);
    }
  }
}
