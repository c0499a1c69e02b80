/** Applies a subgraph's committed migrations with the Prisma CLI (`migrate deploy`). */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const projectRoot = path.resolve(import.meta.dirname, '../..');

export async function migrateDatabase(schemaName: string, databaseUrl: string): Promise<void> {
  const prismaCli = require.resolve('prisma/build/index.js');
  try {
    await run(
      process.execPath,
      [prismaCli, 'migrate', 'deploy', '--config', path.join(projectRoot, 'prisma', schemaName, 'prisma.config.ts')],
      {
        cwd: projectRoot,
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          NODE_OPTIONS: `--require=${path.join(projectRoot, 'prisma/unref-timers.cjs')}`,
        },
        timeout: 120_000,
      },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`migrating the ${schemaName} database failed:\n${stdout}${stderr}`, { cause: error });
  }
}
