/** The gateway's configuration: read from the environment once, validated. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  authConfigFrom,
  commonEnv,
  flag,
  integer,
  lifecycleConfigFrom,
  lifecycleEnv,
  listenHost,
  parseConfig,
  port,
} from '../platform/config.ts';
import { SUBGRAPHS, SUPERGRAPH_PATH, type SubgraphName } from './composition.ts';
import { readManifest, TRUSTED_DOCUMENTS_MODES, TRUSTED_DOCUMENTS_PATH } from './trusted-documents.ts';

/** `<SUBGRAPH>_URL` overrides the URL the supergraph records for that subgraph (containers, Kubernetes). */
const urlOverrides = Object.fromEntries(SUBGRAPHS.map((name) => [urlVariable(name), z.url().optional()]));

function urlVariable(name: SubgraphName): string {
  return `${name.toUpperCase()}_URL`;
}

const schema = z.object({
  ...commonEnv,
  PORT: port(4000),
  /** The gateway is the one process meant to be reached: every interface by default. */
  HOST: listenHost('0.0.0.0'),
  SUPERGRAPH_PATH: z.string().default(SUPERGRAPH_PATH),
  ...urlOverrides,
  /** Browser origins allowed by CORS, comma-separated; `*` for any. Default: Apollo Studio in development. */
  CORS_ORIGINS: z.string().optional(),
  /** Query plans kept in memory, in MiB. A plan of this API takes 0.3–1.4 KiB, so the default holds ~20 000 operations. */
  QUERY_PLAN_CACHE_MB: integer(1, 1024, 30),
  /** Introspection and the Sandbox landing page. Default: on in development, off in production. */
  INTROSPECTION: z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }).optional(),
  /** Largest request body, in bytes; larger ones get HTTP 413 REQUEST_TOO_LARGE. */
  MAX_BODY_BYTES: integer(1024, 16 * 1024 * 1024, 100 * 1024),
  /** Deepest field nesting (the deepest path of this API is 7). */
  MAX_DEPTH: integer(1, 100, 8),
  MAX_ALIASES: integer(0, 1000, 15),
  MAX_DIRECTIVES: integer(0, 1000, 20),
  /** Lexical tokens of one document. */
  MAX_TOKENS: integer(10, 100_000, 1000),
  /** Static cost of one operation (GraphQL Armor: 2 per object field, 1 per scalar, × 1.5 per level). */
  MAX_COST: integer(1, 10_000_000, 5000),
  /** Sustained requests per second per caller (user id, or client address when anonymous); 0 turns limiting off. */
  RATE_LIMIT_PER_SECOND: integer(0, 10_000_000, 100),
  /** Requests a caller may send at once above the sustained rate. */
  RATE_LIMIT_BURST: integer(1, 10_000_000, 500),
  /** Take an anonymous caller's address from the last `X-Forwarded-For` entry (behind one trusted proxy). */
  TRUST_FORWARDED_FOR: flag(false),
  /** Trusted documents (gateway/trusted-documents.ts): off, allow (ids or full documents), require (ids only). */
  TRUSTED_DOCUMENTS: z.enum(TRUSTED_DOCUMENTS_MODES).default('off'),
  /** The persisted-query manifest served by id (`npm run documents` writes the default one). */
  TRUSTED_DOCUMENTS_MANIFEST: z.string().default(TRUSTED_DOCUMENTS_PATH),
  /** Subscriptions one WebSocket connection may hold at once. */
  SUBSCRIPTIONS_PER_CONNECTION: integer(1, 10_000, 20),
  /** Subscriptions one caller (user id, or client address when anonymous) may hold at once in this replica. */
  SUBSCRIPTIONS_PER_CALLER: integer(1, 1_000_000, 100),
  /** How long a WebSocket may take to send connection_init before it is closed (4408), in ms. */
  SUBSCRIPTION_CONNECTION_INIT_TIMEOUT_MS: integer(100, 60_000, 5000),
  /** How often WebSockets are pinged; one that does not answer within as long is dropped, in ms. */
  SUBSCRIPTION_KEEP_ALIVE_MS: integer(1000, 600_000, 12_000),
  /** Events a subscriber may have waiting before it is cut off as a slow consumer (close 4413). */
  SUBSCRIPTION_BUFFER_EVENTS: integer(1, 100_000, 100),
  ...lifecycleEnv,
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
    host: parsed.HOST,
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
    introspection: parsed.INTROSPECTION ? ['true', '1'].includes(parsed.INTROSPECTION) : !production,
    maxBodyBytes: parsed.MAX_BODY_BYTES,
    queryLimits: {
      depth: parsed.MAX_DEPTH,
      aliases: parsed.MAX_ALIASES,
      directives: parsed.MAX_DIRECTIVES,
      tokens: parsed.MAX_TOKENS,
      cost: parsed.MAX_COST,
    },
    rateLimit: {
      perSecond: parsed.RATE_LIMIT_PER_SECOND,
      burst: parsed.RATE_LIMIT_BURST,
      trustForwardedFor: parsed.TRUST_FORWARDED_FOR,
    },
    trustedDocuments: {
      mode: parsed.TRUSTED_DOCUMENTS,
      manifest: parsed.TRUSTED_DOCUMENTS === 'off' ? undefined : readManifest(parsed.TRUSTED_DOCUMENTS_MANIFEST),
    },
    subscriptions: {
      perConnection: parsed.SUBSCRIPTIONS_PER_CONNECTION,
      perCaller: parsed.SUBSCRIPTIONS_PER_CALLER,
      connectionInitTimeoutMs: parsed.SUBSCRIPTION_CONNECTION_INIT_TIMEOUT_MS,
      keepAliveMs: parsed.SUBSCRIPTION_KEEP_ALIVE_MS,
      bufferEvents: parsed.SUBSCRIPTION_BUFFER_EVENTS,
    },
    lifecycle: lifecycleConfigFrom(parsed),
  };
}

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
