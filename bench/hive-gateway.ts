/**
 * Hive Gateway (The Guild), for the benchmark only: the peer our gateway is compared with.
 *
 * Like for like with gateway/main.ts: one process; the same committed supergraph, with the same
 * `<SUBGRAPH>_URL` overrides and port, read through the gateway's own config loader; callers'
 * tokens verified (HS256, same secret) and the `Authorization` header forwarded so subgraphs
 * verify them again; no response cache (Hive Gateway has none unless `responseCaching` is set);
 * logs at warn. Hive deduplicates identical in-flight subgraph requests by default, which shares
 * one answer among concurrent identical requests like a short-lived response cache; @apollo/gateway
 * has no such thing, so it is off unless HIVE_DEDUPLICATE_INFLIGHT=true.
 *
 * HIVE_RUST_QUERY_PLANNER=true plans with Hive's Rust query planner (@graphql-hive/router-runtime's
 * `unifiedGraphHandler`, whose native planner ships as a prebuilt `.node` file inside
 * @graphql-hive/router-query-planner: no install script) instead of the JavaScript one; everything
 * else stays the same.
 */
import { createRequire } from 'node:module';
import http from 'node:http';
import { z } from 'zod';
import { flag, parseConfig } from '../platform/config.ts';
import { loadGatewayConfig } from '../gateway/config.ts';

/** The part of @graphql-hive/gateway used here. */
interface HiveGateway {
  createGatewayRuntime(options: Record<string, unknown>): http.RequestListener & { dispose(): unknown };
  useJWT(options: Record<string, unknown>): unknown;
  createInlineSigningKeyProvider(secret: string): unknown;
  extractFromHeader(options: { name: string; prefix?: string }): unknown;
}

// Loaded without its type declarations: they augment graphql's types for Yoga (a different
// `extensions.http`), which would leak into the type checking of the whole project.
const require = createRequire(import.meta.url);
const hive = require('@graphql-hive/gateway') as HiveGateway;

const config = loadGatewayConfig(process.env);
const { HIVE_DEDUPLICATE_INFLIGHT: deduplicateInflightRequests, HIVE_RUST_QUERY_PLANNER: rustQueryPlanner } =
  parseConfig(z.object({ HIVE_DEDUPLICATE_INFLIGHT: flag(false), HIVE_RUST_QUERY_PLANNER: flag(false) }), process.env);
const rustPlanner = rustQueryPlanner
  ? {
      unifiedGraphHandler: (require('@graphql-hive/router-runtime') as { unifiedGraphHandler: unknown })
        .unifiedGraphHandler,
    }
  : {};

const runtime = hive.createGatewayRuntime({
  ...rustPlanner,
  supergraph: config.supergraphSdl,
  transportEntries: {
    '*': { options: { deduplicateInflightRequests } },
    ...Object.fromEntries(Object.entries(config.subgraphUrls).map(([name, location]) => [name, { location }])),
  },
  logging: 'warn',
  landingPage: false,
  graphiql: false,
  healthCheckEndpoint: '/health/live',
  readinessCheckEndpoint: '/health/ready',
  plugins: () => [
    hive.useJWT({
      signingKeyProviders: [hive.createInlineSigningKeyProvider(config.auth.jwtSecret)],
      tokenLookupLocations: [hive.extractFromHeader({ name: 'authorization', prefix: 'Bearer' })],
      tokenVerification: { algorithms: ['HS256'] },
      reject: { missingToken: false, invalidToken: true },
    }),
  ],
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }: { request: Request }) => {
      const authorization = request.headers.get('authorization');
      return authorization ? { authorization } : {};
    },
  },
});

const server = http.createServer(runtime);
// The same keep-alive settings as our edge (platform/http/server.ts).
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(config.port, '127.0.0.1');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    void Promise.resolve(runtime.dispose()).finally(() => process.exit(0));
  });
}
