/**
 * Before any test: PostgreSQL and NATS JetStream must answer (a missing service fails the run
 * loudly, it never skips tests), and each subgraph's migrations are applied once to a template
 * database that test databases are cloned from.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateDatabase } from '../../platform/database/migrate.ts';
import { assertJetStreamAt } from '../../platform/events/jetstream.ts';
import { TEST_DATABASE_URL, TEST_NATS_URL, templateDatabaseName, withDatabase } from './services.ts';

const SCHEMAS = ['ticket', 'reservation', 'price'];

export default async function globalSetup(): Promise<void> {
  await assertPostgres();
  await assertJetStream();
  const runId = randomBytes(4).toString('hex');
  process.env.TEST_RUN_ID = runId;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (const schema of SCHEMAS) await admin.query(`CREATE DATABASE "${templateDatabaseName(schema, runId)}"`);
    await Promise.all(
      SCHEMAS.map((schema) =>
        migrateDatabase(schema, withDatabase(TEST_DATABASE_URL, templateDatabaseName(schema, runId))),
      ),
    );
  } finally {
    await admin.end();
  }
}

async function assertPostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `The tests need PostgreSQL at ${TEST_DATABASE_URL} (TEST_DATABASE_URL), with a role that may create databases: ${(error as Error).message}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

async function assertJetStream(): Promise<void> {
  try {
    await assertJetStreamAt(TEST_NATS_URL);
  } catch (error) {
    throw new Error(
      `The tests need NATS with JetStream at ${TEST_NATS_URL} (TEST_NATS_URL), e.g. \`nats-server -js\`: ${(error as Error).message}`,
    );
  }
}
