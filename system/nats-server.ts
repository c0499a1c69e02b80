/**
 * nats-server processes with JetStream, children of this process, found by their pid and never
 * by name: the one `npm start` runs when no NATS answers, the tests' own, and the nemesis's
 * servers, alone or as a cluster on loopback (routes between them, a store each). One binary
 * lookup, one set of arguments and one readiness check for all of them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsServers } from '../platform/config.ts';
import { assertJetStreamAt } from '../platform/events/jetstream.ts';
import { canConnect, freePort } from './listening.ts';

export const INSTALL_NATS_SERVER =
  'Install it (Debian/Ubuntu: `apt-get install nats-server`; macOS: `brew install nats-server`; ' +
  'or `docker run -p 4222:4222 nats:2.10 -js`).';

const runs = (command: string) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * The nats-server to run: NATS_SERVER_BIN when set, else `nats-server` on PATH, else where Debian
 * installs it; undefined when none runs, so a missing binary is reported before anything starts.
 */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NATS_SERVER_BIN) return runs(env.NATS_SERVER_BIN) ? env.NATS_SERVER_BIN : undefined;
  if (runs('nats-server')) return 'nats-server';
  return existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : undefined;
}

export interface NatsServerOptions {
  /** The binary, from `findNatsServer()`. */
  command: string;
  host: string;
  port: number;
  /** JetStream's store; it survives the server, so a restart on the same folder keeps the streams. */
  storeDir: string;
  /** Its name in a cluster (JetStream reports stream leaders by it). */
  name?: string;
  cluster?: { name: string; port: number; routePorts: number[] };
  /** How long it may take to accept connections. Default: 15 s. */
  readyTimeoutMs?: number;
  /**
   * In a process group of its own, so a terminal's Ctrl-C (sent to the whole foreground group)
   * does not stop it before the processes that use it have stopped; whoever started it stops it.
   */
  ownProcessGroup?: boolean;
}

function argumentsOf(options: NatsServerOptions): string[] {
  const args = ['-js', '-a', options.host, '-p', String(options.port), '-sd', options.storeDir];
  if (options.name) args.push('-n', options.name);
  if (options.cluster) {
    args.push('--cluster_name', options.cluster.name, '--cluster', `nats://${options.host}:${options.cluster.port}`);
    args.push('--routes', options.cluster.routePorts.map((port) => `nats://${options.host}:${port}`).join(','));
  }
  return args;
}

/**
 * Starts nats-server with JetStream and resolves once it accepts connections. Rejects when it
 * cannot run, exits first (a port in use) or is not ready in time; it is then killed.
 */
export async function startNatsServer(options: NatsServerOptions): Promise<ChildProcess> {
  const address = `${options.host}:${options.port}`;
  await mkdir(options.storeDir, { recursive: true });
  const child = spawn(options.command, argumentsOf(options), {
    stdio: 'ignore',
    detached: options.ownProcessGroup ?? false,
  });
  let failure: string | undefined;
  child.once('error', (error) => (failure ??= `cannot run ${options.command}: ${error.message}`));
  child.once('exit', (code, signal) => (failure ??= `nats-server exited (${signal ?? `code ${code}`}) on ${address}`));
  const timeoutMs = options.readyTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  while (failure === undefined) {
    // An exit seen by the time the port answers means the port was someone else's.
    if ((await canConnect(options.host, options.port)) && failure === undefined) return child;
    if (Date.now() >= deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server did not accept connections on ${address} within ${timeoutMs / 1000} s`);
    }
    await sleep(50);
  }
  throw new Error(failure);
}

/**
 * Stops a started nats-server and resolves once it has exited: SIGTERM (after SIGCONT, as a
 * frozen process would never see it) and SIGKILL after `graceMs`, or the one signal given.
 */
export async function stopNatsServer(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGCONT');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

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

/** A server that can be killed and started again on the same port and store. */
export function natsServerProcess(options: NatsServerOptions & { name: string }): NatsServerProcess {
  let child: ChildProcess | undefined;
  const exited = () => !child || child.exitCode !== null || child.signalCode !== null;
  return {
    name: options.name,
    url: `nats://${options.host}:${options.port}`,
    get pid() {
      return child?.pid ?? 0;
    },
    running: () => !exited(),
    signal: (signal) => void child?.kill(signal),
    async start() {
      if (!exited()) throw new Error(`nats-server ${options.name} is still running`);
      child = await startNatsServer(options);
    },
    kill: async () => {
      if (child) await stopNatsServer(child, 'SIGKILL');
    },
    stop: async () => {
      if (child) await stopNatsServer(child);
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
  const command = findNatsServer();
  if (!command) throw new Error(`nats-server does not run here. ${INSTALL_NATS_SERVER}`);
  const clientPorts = await Promise.all(Array.from({ length: options.size }, () => freePort()));
  const routePorts = await Promise.all(Array.from({ length: options.size }, () => freePort()));
  const servers = clientPorts.map((port, i) =>
    natsServerProcess({
      command,
      host: '127.0.0.1',
      port,
      name: `n${i + 1}`,
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
