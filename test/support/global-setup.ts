/**
 * Before the integration tests: PostgreSQL and NATS JetStream, configured, found or started for the
 * run (a configured one that does not answer fails the run at once; nothing is ever skipped), their
 * URLs handed to the test processes, and each subgraph's migrations applied once to a template
 * database that test databases are cloned from.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateDatabase } from '../../platform/database/migrate.ts';
import { templateDatabaseName, withDatabase } from './services.ts';
import { provideTestServices } from './test-services.ts';
import { beginTestRun, endTestRun, SCHEMAS } from './test-run.ts';

export default async function globalSetup(): Promise<void> {
  const services = await provideTestServices(process.env);
  const runId = randomBytes(4).toString('hex');
  beginTestRun({ runId, services });
  // Test processes start after this and inherit the environment.
  process.env.TEST_RUN_ID = runId;
  process.env.TEST_DATABASE_URL = services.databaseUrl;
  process.env.TEST_NATS_URL = services.natsUrl;
  try {
    await createTemplates(services.databaseUrl, runId);
  } catch (error) {
    // Jest runs no teardown after a failed setup.
    await endTestRun();
    throw error;
  }
}

async function createTemplates(databaseUrl: string, runId: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    for (const schema of SCHEMAS) await admin.query(`CREATE DATABASE "${templateDatabaseName(schema, runId)}"`);
  } finally {
    await admin.end();
  }
  await Promise.all(
    SCHEMAS.map((schema) => migrateDatabase(schema, withDatabase(databaseUrl, templateDatabaseName(schema, runId)))),
  );
}
