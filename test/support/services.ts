/**
 * The real services the tests need, at the addresses CI and development machines provide.
 * Override with TEST_DATABASE_URL (a PostgreSQL role that may create databases) and TEST_NATS_URL.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Per test run: names of template databases (migrated once) that test databases are cloned from. */
export function templateDatabaseName(schema: string, runId: string): string {
  return `tmpl_${schema}_${runId}`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
