/**
 * One SQLite store of the view. A store is created from the committed migrations and never
 * migrated afterwards: a store of another schema version is rebuilt from the stream instead.
 *
 * One SQLite driver: every store is one connection of libSQL's synchronous driver (`libsql`),
 * which the projector writes through (batch-writer.ts) and the boards read through
 * (board-queries.ts), both with prepared statements. Prisma owns the schema: its migrations create
 * every store, and its generated models type the rows. Prisma's client is not used at run time:
 * its libSQL adapter brings a second libSQL client with a native library of its own, builds every
 * query at run time (most of a board read's CPU, when the boards were read through it), and
 * prepares a statement per query whose connection then outlives `close()` (libsql 0.5 keeps a
 * connection open while any statement prepared on it is alive; this store prepares a fixed few).
 *
 * Everything runs synchronously on one connection, so a read never sees half of a batch; local
 * SQLite answers in microseconds, less than an asynchronous driver's promise machinery costs
 * (the asynchronous `@libsql/client` runs the same synchronous calls underneath).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import Database from 'libsql';
import type { BoardReader } from '../domain/ports.ts';
import { prepareBatchWriter, type AppliedEvents, type SequencedEvent } from './batch-writer.ts';
import { boardQueries } from './board-queries.ts';

const MIGRATIONS = new URL('../../../prisma/view/migrations/', import.meta.url);

/** The committed migrations, in order, and a hash of them: the schema version a store records. */
function readMigrations(): { scripts: string[]; version: string } {
  const folders = readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const scripts = folders.map((folder) => readFileSync(new URL(`${folder}/migration.sql`, MIGRATIONS), 'utf8'));
  const hash = createHash('sha256');
  folders.forEach((folder, i) => hash.update(`${folder}\n${scripts[i]}\n`));
  return { scripts, version: hash.digest('hex').slice(0, 16) };
}

let migrations: ReturnType<typeof readMigrations> | undefined;

export function schemaVersion(): string {
  migrations ??= readMigrations();
  return migrations.version;
}

/** Which stream a store was built from, and with which schema. */
export interface StoreIdentity {
  schemaVersion: string;
  stream: string;
  /** The stream's creation time: the same name on a stream created again is another stream. */
  streamCreated: string;
}

export interface ViewStore {
  readonly file: string;
  readonly identity: StoreIdentity;
  /** The stream sequence of the last message applied (0 for a new store). */
  lastAppliedSequence(): Promise<number>;
  /**
   * Applies the messages after the last applied sequence, in order, in one transaction.
   * Returns the events applied and those skipped as already applied.
   */
  apply(batch: readonly SequencedEvent[]): Promise<AppliedEvents>;
  boards: BoardReader;
  close(): Promise<void>;
}

/** How long a statement waits for a lock another connection holds on the file before failing, in ms. */
const BUSY_TIMEOUT_MS = 5000;

/** Creates a store at `file` (which must not exist) with the current schema, at sequence 0. */
export async function createStore(file: string, stream: { name: string; created: string }): Promise<ViewStore> {
  migrations ??= readMigrations();
  const db = connect(file);
  try {
    for (const script of migrations.scripts) db.exec(script);
    db.prepare(
      'INSERT INTO view_meta (id, schema_version, stream, stream_created, last_applied_sequence) VALUES (1, ?, ?, ?, 0)',
    ).run(migrations.version, stream.name, stream.created);
    return storeOn(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Opens an existing store; throws if it is not one (for example a file left half-written). */
export async function openStore(file: string): Promise<ViewStore> {
  const db = connect(file);
  try {
    return storeOn(db, file);
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * WAL, persistent in the file: a commit appends to the log, and `npm run view:rebuild` in another
 * process never blocks on it. A commit is not flushed to disk (synchronous = NORMAL): a power cut
 * may lose the latest batches, never corrupt the store, and the view re-applies them from its last
 * recorded sequence.
 */
function connect(file: string): Database.Database {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  return db;
}

function storeOn(db: Database.Database, file: string): ViewStore {
  const meta = db
    .prepare(
      'SELECT schema_version AS schemaVersion, stream, stream_created AS streamCreated FROM view_meta WHERE id = 1',
    )
    .get() as StoreIdentity | undefined;
  if (!meta) throw new Error(`${file} has no view_meta row`);
  const writer = prepareBatchWriter(db);
  return {
    file,
    // Only these: a row from `get()` carries the driver's own metadata too.
    identity: { schemaVersion: meta.schemaVersion, stream: meta.stream, streamCreated: meta.streamCreated },
    lastAppliedSequence: async () => writer.lastAppliedSequence(),
    apply: async (batch) => writer.apply(batch),
    boards: boardQueries(db),
    async close() {
      db.close();
    },
  };
}
