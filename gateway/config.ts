/** The gateway's configuration: read from the environment once, validated. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { authConfigFrom, commonEnv, integer, parseConfig, port } from '../platform/config.ts';
import { SUBGRAPHS, SUPERGRAPH_PATH, type SubgraphName } from './composition.ts';

/** `<SUBGRAPH>_URL` overrides the URL the supergraph records for that subgraph (containers, Kubernetes). */
const urlOverrides = Object.fromEntries(SUBGRAPHS.map((name) => [urlVariable(name), z.url().optional()]));

function urlVariable(name: SubgraphName): string {
  return `${name.toUpperCase()}_URL`;
}

const schema = z.object({
  ...commonEnv,
  PORT: port(4000),
  SUPERGRAPH_PATH: z.string().default(SUPERGRAPH_PATH),
  ...urlOverrides,
  /** Browser origins allowed by CORS, comma-separated; `*` for any. Default: Apollo Studio in development. */
  CORS_ORIGINS: z.string().optional(),
  /** Query plans kept in memory, in MiB. */
  QUERY_PLAN_CACHE_MB: integer(1, 1024, 30),
});

export function loadGatewayConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseConfig(schema, env);
  const production = parsed.NODE_ENV === 'production';
  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(parsed.SUPERGRAPH_PATH, 'utf8');
  } catch {
    throw new Error(`SUPERGRAPH_PATH: cannot read ${parsed.SUPERGRAPH_PATH} (run \`npm run compose\`)`);
  }
  const overrides = parsed as Record<string, unknown>;
  const subgraphUrls: Partial<Record<SubgraphName, string>> = Object.fromEntries(
    SUBGRAPHS.flatMap((name) => {
      const url = overrides[urlVariable(name)];
      return typeof url === 'string' ? [[name, url]] : [];
    }),
  );
  return {
    port: parsed.PORT,
    production,
    logLevel: parsed.LOG_LEVEL,
    auth: authConfigFrom(parsed),
    supergraphSdl,
    subgraphUrls,
    corsOrigins: parsed.CORS_ORIGINS
      ? parsed.CORS_ORIGINS.split(',').map((o) => o.trim())
      : production
        ? []
        : ['https://studio.apollographql.com', 'https://sandbox.embed.apollographql.com'],
    queryPlanCacheMb: parsed.QUERY_PLAN_CACHE_MB,
  };
}

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
