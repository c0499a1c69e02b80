/**
 * One short-lived PostgreSQL connection for a piece of work outside the services (creating and
 * dropping databases, a check straight in a subgraph's tables): for the tests, the benchmark and
 * the nemesis alike. Opened for the work and always closed after it.
 */
import pg from 'pg';

export async function withPgClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** One statement on a connection of its own: its rows. */
export function queryOnce<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  return withPgClient(url, async (client) => (await client.query<T>(sql, values)).rows);
}
