/**
 * Opens a subgraph's database: the configured PostgreSQL, or the embedded default when no URL
 * is configured. Migrations run on the embedded store always, on a configured one only when asked
 * (MIGRATE_ON_START, or the separate `db:migrate` job).
 */
import type { DatabaseConfig } from '../config.ts';
import type { Logger } from '../logging.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { migrateDatabase } from './migrate.ts';

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  /** Stops the embedded server, if this process started one. */
  stop(): Promise<void>;
}

export async function openDatabase(config: DatabaseConfig, logger: Logger): Promise<OpenDatabase> {
  if (config.url) {
    if (config.migrateOnStart) await migrate(config.name, config.url, logger);
    return { url: config.url, embedded: false, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres({ ...config.embedded, database: config.name, logger });
  try {
    await migrate(config.name, server.url, logger);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: server.url, embedded: true, stop: () => server.stop() };
}

async function migrate(name: string, url: string, logger: Logger): Promise<void> {
  const started = Date.now();
  await migrateDatabase(name, url);
  logger.info({ ms: Date.now() - started }, `${name} database migrated`);
}
