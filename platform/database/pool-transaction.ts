/**
 * Transactions straight on the process's pg pool, for the event paths every saga step crosses
 * (the outbox relay, a consumer's batch): there, Prisma's interactive transaction cost more than
 * the statements. Measured on this machine under load, four `SELECT $1` in one transaction:
 * Prisma 3.3–3.6 ms p50 and 2.9–3.1 ms of CPU; the pool 0.24–0.34 ms and 0.3 ms. Each statement
 * through Prisma is a trip through its query engine and more event-loop turns, and a step of the
 * saga waits for all of them.
 *
 * On a pool made with `pipeline: true` (node-postgres sends a statement without waiting for the
 * answer to the one before), BEGIN travels with the transaction's first statement and COMMIT with
 * its last (`executeAndCommit`): a transaction of n statements is n round trips, not n + 2.
 *
 * The statements keep the shape of Prisma's raw calls, so code written against a Prisma
 * transaction (the inbox, a batch's statements) runs here unchanged.
 */
import type pg from 'pg';

/** Raw statements: Prisma's `$queryRawUnsafe` / `$executeRawUnsafe`, answered by pg. */
export interface RawStatements {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

export interface PoolTransaction extends RawStatements {
  /** The transaction's last statement, sent with its COMMIT; resolves once both are done. */
  executeAndCommit(query: string, ...values: unknown[]): Promise<number>;
}

export interface PoolTransactionOptions {
  /**
   * false: the commit returns before its WAL is flushed (`synchronous_commit = off`): for a
   * transaction whose loss in a crash only means doing it again, never for one that is acknowledged
   * to someone as done.
   */
  synchronousCommit?: boolean;
}

/**
 * Raw statements on a pool (each on any connection) or on one connection. Unlike Prisma, pg gives
 * `bigint` columns as strings: cast in the statement what must come back as a number.
 */
export function rawStatements(on: pg.Pool | pg.PoolClient): RawStatements {
  return {
    async $queryRawUnsafe<T>(query: string, ...values: unknown[]) {
      return (await on.query(query, values)).rows as T;
    },
    async $executeRawUnsafe(query: string, ...values: unknown[]) {
      return (await on.query(query, values)).rowCount ?? 0;
    },
  };
}

/**
 * Runs `work` in one transaction on one of the pool's connections: committed when it resolves
 * (unless it committed with `executeAndCommit`, its last step), rolled back if it throws. A
 * connection that cannot even roll back leaves the pool.
 */
export async function inPoolTransaction<R>(
  pool: pg.Pool,
  work: (tx: PoolTransaction) => Promise<R>,
  options: PoolTransactionOptions = {},
): Promise<R> {
  const client = await pool.connect();
  let committed = false;
  const commit = async (): Promise<void> => {
    const { command } = await client.query('COMMIT');
    // A COMMIT in a transaction a statement aborted answers ROLLBACK, not an error.
    if (command !== 'COMMIT') throw new Error(`the transaction was not committed (${command})`);
    committed = true;
  };
  const tx: PoolTransaction = {
    ...rawStatements(client),
    async executeAndCommit(query, ...values) {
      const statement = client.query(query, values);
      const committing = commit();
      // Both are settled before either outcome is reported, so no rejection goes unobserved.
      const [result, commitOutcome] = await Promise.allSettled([statement, committing]);
      if (result.status === 'rejected') throw result.reason;
      if (commitOutcome.status === 'rejected') throw commitOutcome.reason;
      return result.value.rowCount ?? 0;
    },
  };
  try {
    // Not awaited alone: on a pipelined pool they leave with the first statement. BEGIN fails only
    // with the connection, and then so does every statement after it.
    const begun = Promise.all([
      client.query('BEGIN'),
      ...(options.synchronousCommit === false ? [client.query('SET LOCAL synchronous_commit = off')] : []),
    ]);
    begun.catch(() => {}); // observed below, or surfaced by the work's own failure
    const result = await work(tx);
    await begun;
    if (!committed) await commit();
    client.release();
    return result;
  } catch (error) {
    await client.query('ROLLBACK').then(
      () => client.release(),
      (rollbackError: Error) => client.release(rollbackError),
    );
    throw error;
  }
}
