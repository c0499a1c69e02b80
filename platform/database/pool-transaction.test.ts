/**
 * Transactions on a pipelined pool against real PostgreSQL: all of the work or none of it, the
 * COMMIT that leaves with the last statement included, and `synchronousCommit: false` confined to
 * its own transaction.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases.ts';
import { inPoolTransaction, type PoolTransaction } from './pool-transaction.ts';

let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase('price');
  // One connection: every transaction reuses it, so one left open or aborted would show.
  pool = new pg.Pool({ connectionString: database.url, max: 1, pipeline: true });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const record = (tx: PoolTransaction, id: string) =>
  tx.$executeRawUnsafe("INSERT INTO inbox_event (id, type) VALUES ($1::uuid, 'Test')", id);

async function recorded(id: string): Promise<boolean> {
  const rows = await database.query('SELECT 1 FROM inbox_event WHERE id = $1::uuid', [id]);
  return rows.length === 1;
}

describe('inPoolTransaction', () => {
  it('commits the work when it resolves, and gives its result', async () => {
    const id = randomUUID();
    await expect(inPoolTransaction(pool, (tx) => record(tx, id))).resolves.toBe(1);
    expect(await recorded(id)).toBe(true);
  });

  it('rolls the work back when it throws', async () => {
    const id = randomUUID();
    const failing = inPoolTransaction(pool, async (tx) => {
      await record(tx, id);
      throw new Error('the step failed');
    });
    await expect(failing).rejects.toThrow('the step failed');
    expect(await recorded(id)).toBe(false);
  });

  it('commits with the last statement, sent together', async () => {
    const id = randomUUID();
    const written = await inPoolTransaction(pool, (tx) =>
      tx.executeAndCommit("INSERT INTO inbox_event (id, type) VALUES ($1::uuid, 'Test')", id),
    );
    expect(written).toBe(1);
    expect(await recorded(id)).toBe(true);
  });

  it('reports a last statement that fails, and commits nothing before it', async () => {
    const [first, duplicate] = [randomUUID(), randomUUID()];
    await inPoolTransaction(pool, (tx) => record(tx, duplicate));
    const failing = inPoolTransaction(pool, async (tx) => {
      await record(tx, first);
      return tx.executeAndCommit("INSERT INTO inbox_event (id, type) VALUES ($1::uuid, 'Test')", duplicate);
    });
    await expect(failing).rejects.toThrow(/duplicate key/);
    expect(await recorded(first)).toBe(false);
  });

  it('does not take a COMMIT that PostgreSQL answered with ROLLBACK for a commit', async () => {
    // A statement failed and the work went on: PostgreSQL rolls the whole transaction back at COMMIT.
    const id = randomUUID();
    const failing = inPoolTransaction(pool, async (tx) => {
      await tx.$queryRawUnsafe('SELECT 1 / 0').catch(() => undefined);
      return tx.executeAndCommit("INSERT INTO inbox_event (id, type) VALUES ($1::uuid, 'Test')", id);
    });
    await expect(failing).rejects.toThrow();
    const swallowed = inPoolTransaction(pool, async (tx) => {
      await tx.$queryRawUnsafe('SELECT 1 / 0').catch(() => undefined);
    });
    await expect(swallowed).rejects.toThrow(/not committed \(ROLLBACK\)/);
    expect(await recorded(id)).toBe(false);
  });

  it('turns off synchronous commit for its own transaction only', async () => {
    const setting = (tx: PoolTransaction) =>
      tx
        .$queryRawUnsafe<{ synchronous_commit: string }[]>('SHOW synchronous_commit')
        .then(([row]) => row!.synchronous_commit);
    expect(await inPoolTransaction(pool, setting, { synchronousCommit: false })).toBe('off');
    expect(await inPoolTransaction(pool, setting)).toBe('on');
  });
});
