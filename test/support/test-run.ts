/**
 * One integration run's state, from its global setup to its teardown. Jest runs both in its main
 * process, where only globals carry over from one to the other.
 */
import pg from 'pg';
import { templateDatabaseName } from './services.ts';
import type { TestServices } from './test-services.ts';

export const SCHEMAS = ['ticket', 'reservation', 'price'] as const;

export interface TestRun {
  runId: string;
  services: TestServices;
}

const KEY = Symbol.for('ticketing-supergraph.test-run');
const store = globalThis as { [KEY]?: TestRun };

export function beginTestRun(run: TestRun): void {
  store[KEY] = run;
}

/** Drops the run's template databases (test databases drop themselves), then stops its own servers. */
export async function endTestRun(): Promise<void> {
  const run = store[KEY];
  if (!run) return;
  delete store[KEY];
  try {
    const admin = new pg.Client({ connectionString: run.services.databaseUrl });
    await admin.connect();
    try {
      for (const schema of SCHEMAS) {
        await admin.query(`DROP DATABASE IF EXISTS "${templateDatabaseName(schema, run.runId)}" WITH (FORCE)`);
      }
    } finally {
      await admin.end();
    }
  } finally {
    await run.services.stop();
  }
}
