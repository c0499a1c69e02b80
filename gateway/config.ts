/** The gateway's configuration: read from the environment once, validated. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { authConfigFrom, commonEnv, integer, parseConfig, port } from '../platform/config.ts';
import { SUPERGRAPH_PATH, type SubgraphName } from './composition.ts';

const schema = z.object({
  ...commonEnv,
  PORT: port(4000),
  SUPERGRAPH_PATH: z.string().default(SUPERGRAPH_PATH),
  /** Override the subgraph URLs recorded in the supergraph (containers, Kubernetes). */
  TICKET_URL: z.url().optional(),
  RESERVATION_URL: z.url().optional(),
  PRICE_URL: z.url().optional(),
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
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {
    ...(parsed.TICKET_URL && { ticket: parsed.TICKET_URL }),
    ...(parsed.RESERVATION_URL && { reservation: parsed.RESERVATION_URL }),
    ...(parsed.PRICE_URL && { price: parsed.PRICE_URL }),
  };
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
