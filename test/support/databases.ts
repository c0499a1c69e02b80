/** A fresh, migrated database per test suite, cloned from this run's template; dropped afterwards. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll } from '@jest/globals';
import pg from 'pg';
import { queryOnce, withPgClient } from '../../system/postgres.ts';
import { testDatabaseUrl, templateDatabaseName, withDatabase } from './services.ts';

export interface TestDatabase {
  url: string;
  /** Runs one statement on this database: for checks straight in a subgraph's tables. */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

const admin = <T>(work: (client: pg.Client) => Promise<T>) => withPgClient(testDatabaseUrl(), work);

export async function createTestDatabase(schema: 'ticket' | 'reservation' | 'price'): Promise<TestDatabase> {
  const runId = process.env.TEST_RUN_ID;
  if (!runId) throw new Error('TEST_RUN_ID is not set: run the tests through jest (global setup)');
  const name = `test_${schema}_${randomBytes(5).toString('hex')}`;
  const template = templateDatabaseName(schema, runId);
  for (let attempt = 1; ; attempt++) {
    try {
      await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      break;
    } catch (error) {
      // Two clones of one template at the same instant: PostgreSQL refuses the second; retry.
      if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await sleep(50 * attempt);
    }
  }
  const url = withDatabase(testDatabaseUrl(), name);
  return {
    url,
    query: (sql, params) => queryOnce(url, sql, params),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A suite's own database with a pool and a Prisma client on it (see `useTestDatabase`). */
export interface DatabaseFixture<D> {
  readonly database: TestDatabase;
  readonly pool: pg.Pool;
  readonly db: D;
}

/**
 * A fresh migrated database for the calling suite, opened before its tests with a pool of
 * `poolSize` and the subgraph's Prisma client (`open`), and closed and dropped after them.
 */
export function useTestDatabase<D extends { $disconnect(): Promise<void> }>(
  schema: 'ticket' | 'reservation' | 'price',
  open: (pool: pg.Pool) => D,
  poolSize = 4,
): DatabaseFixture<D> {
  let opened: { database: TestDatabase; pool: pg.Pool; db: D } | undefined;
  // An idle connection that fails while the suite runs fails the suite (in afterAll); once the
  // suite closes, dropping the database terminates whatever the pool still had open.
  let closing = false;
  const failures: Error[] = [];
  const get = () => {
    if (!opened) throw new Error('the suite database is opened in beforeAll; use it inside a test or hook');
    return opened;
  };
  beforeAll(async () => {
    const database = await createTestDatabase(schema);
    const pool = new pg.Pool({ connectionString: database.url, max: poolSize });
    pool.on('error', (error) => {
      if (!closing) failures.push(error);
    });
    opened = { database, pool, db: open(pool) };
  });
  afterAll(async () => {
    if (!opened) return;
    closing = true;
    await opened.db.$disconnect();
    await opened.pool.end();
    await opened.database.drop();
    if (failures.length > 0) throw failures[0];
  });
  return {
    get database() {
      return get().database;
    },
    get pool() {
      return get().pool;
    },
    get db() {
      return get().db;
    },
  };
}

/** A database of their own for each subgraph that keeps its data in PostgreSQL. */
export async function createSubgraphDatabases(): Promise<Record<'ticket' | 'reservation' | 'price', TestDatabase>> {
  const [ticket, reservation, price] = await Promise.all([
    createTestDatabase('ticket'),
    createTestDatabase('reservation'),
    createTestDatabase('price'),
  ]);
  return { ticket, reservation, price };
}
