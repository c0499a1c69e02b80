/**
 * The driver adapter the Prisma 6.19 CLI uses in JS-engine mode (`engine: "js"`), with the two
 * fixes it needs against @prisma/adapter-pg 6.19. Runtime code never imports this file.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';

type QueryResultLike = { fields?: { dataTypeID: number }[] };

// The wasm schema engine reads catalog columns of type `name` (oid 19) and `"char"` (oid 18),
// which the adapter cannot deserialize: report them as `text` (oid 25).
function reportCatalogTypesAsText<T>(result: T): T {
  for (const r of (Array.isArray(result) ? result : [result]) as QueryResultLike[]) {
    for (const field of r?.fields ?? []) {
      if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
    }
  }
  return result;
}

class CliClient extends pg.Client {
  override query(...args: unknown[]): never {
    const callback = args[args.length - 1];
    const query = super.query as (...a: unknown[]) => unknown;
    if (typeof callback === 'function') {
      args[args.length - 1] = (err: unknown, res: unknown) => callback(err, err ? res : reportCatalogTypesAsText(res));
      return query.apply(this, args) as never;
    }
    const result = query.apply(this, args);
    return (result instanceof Promise ? result.then(reportCatalogTypesAsText) : result) as never;
  }
}

function poolConfigFrom(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    Client: CliClient as unknown as typeof pg.Client,
    // The CLI never disposes its adapter: idle clients would keep the process alive for 10 s.
    idleTimeoutMillis: 500,
  };
}

async function runAdmin(config: pg.PoolConfig, sql: string): Promise<void> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// Upstream replays the shadow database on the main one and drops it while its pool is open.
class PrismaPgCli extends PrismaPg {
  constructor(private readonly poolConfig: pg.PoolConfig) {
    super(poolConfig);
  }

  override async connectToShadowDb() {
    const name = `prisma_shadow_${randomUUID().replace(/-/g, '')}`;
    await runAdmin(this.poolConfig, `CREATE DATABASE "${name}"`);
    const adapter = await new PrismaPg({ ...this.poolConfig, database: name }).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await runAdmin(this.poolConfig, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    };
    return adapter;
  }
}

export function createCliAdapter(): PrismaPgCli {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must be set for every Prisma CLI command');
  return new PrismaPgCli(poolConfigFrom(url));
}
