/**
 * A nats-server process of the test's own (JetStream, a temporary store, an ephemeral port), so a
 * fault test can kill it and start it again on the same port and store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.ts';

export interface TestNatsServer {
  url: string;
  /** SIGKILL: no shutdown, no flush — a crash. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its store. */
  dispose(): Promise<void>;
}

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';

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

export async function startTestNatsServer(): Promise<TestNatsServer> {
  const storeDir = await mkdtemp(path.join(os.tmpdir(), 'test-nats-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
    child.once('error', (error) => {
      throw new Error(`cannot run ${NATS_SERVER} (set NATS_SERVER_BIN): ${error.message}`);
    });
    for (let waited = 0; waited < 10_000; waited += 50) {
      if (await answers(port)) return;
      await sleep(50);
    }
    throw new Error(`nats-server did not start on port ${port}`);
  }

  async function kill(): Promise<void> {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    kill,
    start,
    async dispose() {
      await kill();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
