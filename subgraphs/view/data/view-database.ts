/**
 * The projector's Prisma client on a SQLite store file, through the libSQL driver adapter.
 *
 * The adapter (6.19) bundles an older libSQL client whose every transaction opens a new SQLite
 * connection and never closes it: a file-descriptor leak and milliseconds per transaction. The
 * adapter lets us supply the client (`createClient`), so it gets the current `@libsql/client`,
 * which lends pooled connections to transactions and takes them back.
 */
import { createClient, type Config } from '@libsql/client';
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { PrismaClient } from '../../../prisma/view/client/client.ts';

export type ViewDatabase = InstanceType<typeof PrismaClient>;

/** How long a connection waits for another one's lock before failing (SQLite's busy timeout). */
const BUSY_TIMEOUT_MS = 5000;

class PooledLibSQL extends PrismaLibSQL {
  // The two client versions share this API; only their type declarations differ.
  override createClient(config: Config): ReturnType<PrismaLibSQL['createClient']> {
    return createClient({
      ...config,
      timeout: BUSY_TIMEOUT_MS,
      // One connection, so its settings hold for every transaction.
      concurrency: 1,
    }) as unknown as ReturnType<PrismaLibSQL['createClient']>;
  }
}

/**
 * The projector's client. A commit is not flushed to disk (synchronous = NORMAL in WAL mode): a
 * power cut may lose the latest batches, never corrupt the store, and the view re-applies them
 * from its last recorded sequence.
 */
export async function connectWriter(url: string): Promise<ViewDatabase> {
  const db = new PrismaClient({ adapter: new PooledLibSQL({ url }) });
  await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  return db;
}
