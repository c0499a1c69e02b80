/**
 * Runs a Prisma CLI command for every subgraph schema, with what the offline JS-engine CLI needs:
 * `npm run generate` (clients), `npm run db:migrate` (the migration job: DATABASE_URL_<SUBGRAPH>).
 * The view's SQLite store is local to each replica and migrated by the view itself, so only
 * `generate` covers it.
 *
 *   tsx scripts/prisma.ts generate
 *   tsx scripts/prisma.ts migrate deploy      # needs DATABASE_URL_TICKET, _RESERVATION, _PRICE
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

export const SCHEMAS = ['ticket', 'reservation', 'price', 'view'] as const;
/** The schemas whose databases a deploy-time job migrates. */
const SERVER_SCHEMAS: readonly string[] = ['ticket', 'reservation', 'price'];

const root = path.resolve(import.meta.dirname, '..');
const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
// `generate` never connects, but the JS-engine CLI insists on a URL: without one it tries to
// download a query engine.
const placeholderUrl = (schema: string) =>
  schema === 'view' ? 'file:generate-only.db' : 'postgresql://generate:only@127.0.0.1:1/unused';

const args = process.argv.slice(2);
if (args.length === 0) {
  process.stderr.write('usage: tsx scripts/prisma.ts <prisma command…>\n');
  process.exit(64);
}
const generating = args[0] === 'generate';
for (const schema of generating ? SCHEMAS : SERVER_SCHEMAS) {
  const urlVariable = `DATABASE_URL_${schema.toUpperCase()}`;
  const url = process.env[urlVariable] ?? (generating ? placeholderUrl(schema) : undefined);
  if (!url) {
    process.stderr.write(`${urlVariable} must be set for "${args.join(' ')}"\n`);
    process.exit(64);
  }
  execFileSync(process.execPath, [cli, ...args, '--config', path.join(root, 'prisma', schema, 'prisma.config.ts')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DATABASE_URL: url, NODE_OPTIONS: `--require=${path.join(root, 'prisma/unref-timers.cjs')}` },
  });
  process.stdout.write(`prisma ${args.join(' ')}: ${schema} done\n`);
}
