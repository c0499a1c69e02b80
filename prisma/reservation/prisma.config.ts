import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { createCliAdapter } from '../cli-adapter.ts';

export default defineConfig({
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  experimental: { adapter: true },
  engine: 'js',
  adapter: async () => createCliAdapter(),
});
