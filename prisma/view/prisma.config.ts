/**
 * The view's Prisma CLI configuration: SQLite through the libSQL driver adapter (JS engine). Only
 * `generate` and `migrate diff` are needed: the view applies its migration to each fresh store
 * itself (subgraphs/view/data/view-store.ts).
 */
import path from 'node:path';
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => new PrismaLibSQL({ url: process.env.DATABASE_URL ?? 'file::memory:' }),
});
