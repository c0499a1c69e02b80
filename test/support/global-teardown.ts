/** After the run: drop this run's template databases (test databases drop themselves). */
import pg from 'pg';
import { TEST_DATABASE_URL, templateDatabaseName } from './services.ts';

export default async function globalTeardown(): Promise<void> {
  const runId = process.env.TEST_RUN_ID;
  if (!runId) return;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    for (const schema of ['ticket', 'reservation', 'price']) {
      await admin.query(`DROP DATABASE IF EXISTS "${templateDatabaseName(schema, runId)}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
