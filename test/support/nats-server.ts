/**
 * A nats-server process of the tests' own (JetStream, a temporary store, an ephemeral port): the
 * run's, when no NATS answers, and a fault test's, which kills it and starts it again on the same
 * port and store.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  INSTALL_NATS_SERVER,
  natsServerInstalled,
  startNatsServer,
  stopNatsServer,
} from '../../scripts/local-services/nats-server.ts';
import { freePort } from './ports.ts';

export interface TestNatsServer {
  url: string;
  /** SIGKILL: no shutdown, no flush — a crash. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its store. */
  dispose(): Promise<void>;
}

/** NATS_SERVER_BIN, else `nats-server` on PATH. A missing one fails what needs it; nothing skips. */
function natsServerCommand(): string {
  const command = process.env.NATS_SERVER_BIN ?? 'nats-server';
  if (!natsServerInstalled(command)) {
    throw new Error(
      `the tests start nats-server and \`${command}\` does not run here (NATS_SERVER_BIN names another). ${INSTALL_NATS_SERVER}`,
    );
  }
  return command;
}

export async function startTestNatsServer(): Promise<TestNatsServer> {
  const command = natsServerCommand();
  const storeDir = await mkdtemp(path.join(os.tmpdir(), 'test-nats-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    child = await startNatsServer({ command, host: '127.0.0.1', port, storeDir });
  }

  async function kill(): Promise<void> {
    if (child) await stopNatsServer(child, 'SIGKILL');
  }

  try {
    await start();
  } catch (error) {
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
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
