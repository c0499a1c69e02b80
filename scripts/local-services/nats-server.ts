/**
 * A nats-server with JetStream started on this machine, by `npm start` and by the tests when no
 * NATS answers: the same binary lookup, arguments and readiness check for both.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { canConnect } from './listening.ts';

export const INSTALL_NATS_SERVER =
  'Install it (Debian/Ubuntu: `apt-get install nats-server`; macOS: `brew install nats-server`; ' +
  'or `docker run -p 4222:4222 nats:2.10 -js`).';

/** Whether `command` runs (`--version` succeeds): a missing binary is reported before anything starts. */
export function natsServerInstalled(command = 'nats-server'): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface NatsServerOptions {
  /** The binary, a name looked up on PATH or a path. Default: `nats-server`. */
  command?: string;
  host: string;
  port: number;
  /** JetStream's store; it survives the server, so a restart on the same folder keeps the streams. */
  storeDir: string;
  /** How long it may take to accept connections. Default: 10 s. */
  readyTimeoutMs?: number;
  /**
   * In a process group of its own, so a terminal's Ctrl-C (sent to the whole foreground group)
   * does not stop it before the processes that use it have stopped; whoever started it stops it.
   */
  ownProcessGroup?: boolean;
}

/**
 * Starts nats-server with JetStream and resolves once it accepts connections. Rejects when it
 * cannot run, exits first (a port in use) or is not ready in time; it is then killed.
 */
export async function startNatsServer(options: NatsServerOptions): Promise<ChildProcess> {
  const command = options.command ?? 'nats-server';
  const address = `${options.host}:${options.port}`;
  const child = spawn(command, ['-js', '-a', options.host, '-p', String(options.port), '-sd', options.storeDir], {
    stdio: 'ignore',
    detached: options.ownProcessGroup ?? false,
  });
  let failure: string | undefined;
  child.once('error', (error) => (failure ??= `cannot run ${command}: ${error.message}`));
  child.once('exit', (code, signal) => (failure ??= `${command} exited (${signal ?? `code ${code}`}) on ${address}`));
  const timeoutMs = options.readyTimeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  while (failure === undefined) {
    // An exit seen by the time the port answers means the port was someone else's.
    if ((await canConnect(options.host, options.port)) && failure === undefined) return child;
    if (Date.now() >= deadline) {
      child.kill('SIGKILL');
      throw new Error(`${command} did not accept connections on ${address} within ${timeoutMs / 1000} s`);
    }
    await sleep(50);
  }
  throw new Error(failure);
}

/** Stops a started nats-server and resolves once it has exited. */
export async function stopNatsServer(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
