/**
 * The statements every federated read runs (a subgraph's keyed look-ups: `_entities`, a user's
 * reservations, prices by ticket) straight on the process's pool, past Prisma.
 *
 * Even as `$queryRaw`, a Prisma 6 query went through the client's request pipeline, its
 * WebAssembly query compiler and interpreter, the adapter's per-column conversion and the raw
 * result's deserialisation: a fifth of each subgraph's CPU in the federated read
 * (docs/performance.md). Here a statement is a prepared statement of its own (`name`), so
 * PostgreSQL parses and plans it once per connection, not per call, and node-postgres's own type
 * parsing gives the rows: `timestamptz` as `Date`, `uuid` and enums as strings, `int4` as numbers.
 * Writes stay with Prisma (transactions, the outbox).
 */
import type pg from 'pg';

/** One fixed SQL text with `$1…` placeholders, prepared under `name` on each connection. */
export interface KeyedStatement {
  /** Unique per text: PostgreSQL refuses a second text under a name a connection prepared. */
  name: string;
  text: string;
}

export type KeyedReads = <Row extends pg.QueryResultRow>(
  statement: KeyedStatement,
  values: readonly unknown[],
) => Promise<Row[]>;

export function keyedReads(pool: pg.Pool): KeyedReads {
  return async <Row extends pg.QueryResultRow>(statement: KeyedStatement, values: readonly unknown[]) => {
    const result = await pool.query<Row>({ name: statement.name, text: statement.text, values: values as unknown[] });
    return result.rows;
  };
}
