/**
 * A nats-server process of the tests' own (JetStream, a temporary store, an ephemeral port): the
 * run's, when no NATS answers, and a fault test's, which kills it and starts it again on the same
 * port and store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { INSTALL_NATS_SERVER, findNatsServer, natsServerProcess } from '../../system/nats-server.ts';
import { freePort } from '../../system/listening.ts';

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
  const command = findNatsServer();
  if (!command) {
    throw new Error(
      `the tests start nats-server and none runs here (NATS_SERVER_BIN names another). ${INSTALL_NATS_SERVER}`,
    );
  }
  return command;
}

export async function startTestNatsServer(): Promise<TestNatsServer> {
  const command = natsServerCommand();
  const storeDir = await mkdtemp(path.join(os.tmpdir(), 'test-nats-'));
  const server = natsServerProcess({ command, name: 'test', host: '127.0.0.1', port: await freePort(), storeDir });
  try {
    await server.start();
  } catch (error) {
    await rm(storeDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: server.url,
    kill: () => server.kill(),
    start: () => server.start(),
    async dispose() {
      await server.kill();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
