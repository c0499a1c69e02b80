/**
 * The PostgreSQL and NATS JetStream an integration run uses: the ones configured (TEST_DATABASE_URL,
 * TEST_NATS_URL), which must answer; else the ones answering at the default addresses; else servers
 * of the run's own — an embedded PostgreSQL (the package `npm start` uses) and a nats-server —
 * stopped and removed by `stop()`. So a machine with Node and nats-server runs every test.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { startEmbeddedPostgres } from '../../platform/database/embedded-postgres.ts';
import { assertJetStreamAt } from '../../platform/events/jetstream.ts';
import { canConnect, freePort } from '../../system/listening.ts';
import { startTestNatsServer } from './nats-server.ts';

export interface TestServices {
  databaseUrl: string;
  natsUrl: string;
  /** Stops and removes the servers started for the run; configured or found ones are left alone. */
  stop(): Promise<void>;
}

export interface TestServicesEnv {
  TEST_DATABASE_URL?: string;
  TEST_NATS_URL?: string;
}

interface Service {
  url: string;
  stop(): Promise<void>;
}

const DEFAULT_POSTGRES = { host: '127.0.0.1', port: 5432, url: 'postgresql://postgres@127.0.0.1:5432/postgres' };
const DEFAULT_NATS = { host: '127.0.0.1', port: 4222, url: 'nats://127.0.0.1:4222' };
/** Only "is anything listening": a loaded machine answers on loopback well within this. */
const PROBE_TIMEOUT_MS = 500;

export async function provideTestServices(env: TestServicesEnv): Promise<TestServices> {
  const [postgres, nats] = await Promise.allSettled([
    providePostgres(env.TEST_DATABASE_URL),
    provideNats(env.TEST_NATS_URL),
  ]);
  if (postgres.status === 'rejected' || nats.status === 'rejected') {
    await Promise.all([postgres, nats].map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw postgres.status === 'rejected' ? postgres.reason : (nats as PromiseRejectedResult).reason;
  }
  return {
    databaseUrl: postgres.value.url,
    natsUrl: nats.value.url,
    stop: async () => {
      await Promise.all([postgres.value.stop(), nats.value.stop()]);
    },
  };
}

/** A server the run did not start: it is used, never stopped. */
function notOurs(url: string): Service {
  return { url, stop: async () => {} };
}

async function providePostgres(configured: string | undefined): Promise<Service> {
  if (configured) return notOurs(await assertPostgres(configured, 'TEST_DATABASE_URL'));
  if (await canConnect(DEFAULT_POSTGRES.host, DEFAULT_POSTGRES.port, PROBE_TIMEOUT_MS)) {
    return notOurs(await assertPostgres(DEFAULT_POSTGRES.url, 'the default; TEST_DATABASE_URL is unset'));
  }
  return startOwnPostgres();
}

async function provideNats(configured: string | undefined): Promise<Service> {
  if (configured) return notOurs(await assertJetStream(configured, 'TEST_NATS_URL'));
  if (await canConnect(DEFAULT_NATS.host, DEFAULT_NATS.port, PROBE_TIMEOUT_MS)) {
    return notOurs(await assertJetStream(DEFAULT_NATS.url, 'the default; TEST_NATS_URL is unset'));
  }
  const server = await startTestNatsServer();
  return { url: server.url, stop: () => server.dispose() };
}

async function assertPostgres(url: string, source: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return url;
  } catch (error) {
    throw new Error(
      `The tests need PostgreSQL at ${url} (${source}), with a role that may create databases: ${(error as Error).message}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

async function assertJetStream(url: string, source: string): Promise<string> {
  try {
    await assertJetStreamAt(url);
    return url;
  } catch (error) {
    throw new Error(`The tests need NATS with JetStream at ${url} (${source}): ${(error as Error).message}`);
  }
}

/** A fresh cluster in a temporary folder: the test databases are cloned from templates in it. */
async function startOwnPostgres(): Promise<Service> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'test-postgres-'));
  const removeFolder = () => rm(folder, { recursive: true, force: true });
  try {
    // Run as root, PostgreSQL runs as its own system user, which must reach the data folder.
    await chmod(folder, 0o755);
    const server = await startEmbeddedPostgres({
      dir: path.join(folder, 'data'),
      port: await freePort(),
      database: 'postgres',
      logger: pino({ level: 'warn' }),
      disposable: true,
    });
    return {
      url: server.url,
      stop: async () => {
        await server.stop();
        await removeFolder();
      },
    };
  } catch (error) {
    await removeFolder();
    throw error;
  }
}
