/**
 * The gateway: @apollo/gateway over the static supergraph, behind @apollo/server on the shared
 * HTTP edge. In front of any planning: the body size limit (the edge), the caller's token
 * verified (a forged or expired token never reaches a subgraph), the caller's rate limit, and the
 * document's shape limits (query-limits.ts). CSRF prevention stays on. Documents may be served by
 * id from the trusted-documents manifest, or only so (trusted-documents.ts); with that off,
 * automatic persisted queries are Apollo Server's default (in memory, per replica).
 */
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, HeaderMap } from '@apollo/server';
import type { Fetcher } from '@apollo/utils.fetcher';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GraphQLError } from 'graphql';
import type { Caller } from '../ticketing/caller.ts';
import { createTokenVerifier } from '../platform/auth/tokens.ts';
import { isDomainError } from '../ticketing/errors.ts';
import { createErrorFormatter, requestError } from '../platform/graphql/errors.ts';
import { createOperationMetricsPlugin } from '../platform/graphql/operation-metrics-plugin.ts';
import { createSubgraphFetchMetrics, instrumentSubgraphFetches } from '../platform/graphql/subgraph-fetch-metrics.ts';
import { createKeepAliveFetcher } from '../platform/http/keep-alive-fetcher.ts';
import { startHttpServer, type RunningHttpServer } from '../platform/http/server.ts';
import { stopAll } from '../platform/lifecycle.ts';
import { createLogger, type Logger } from '../platform/logging.ts';
import { createMetricsRegistry } from '../platform/metrics.ts';
import { clientAddressOf } from './client-address.ts';
import type { GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { queryLimitProtection } from './query-limits.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { SubgraphDataSource } from './subgraph-data-source.ts';
import { trustedDocuments } from './trusted-documents.ts';
import { createGatewaySubscriptions } from './subscriptions/subscriptions.ts';

export interface RunningGateway extends RunningHttpServer {
  logger: Logger;
}

export interface GatewayDependencies {
  logger?: Logger;
  /** How subgraphs are called (default: the keep-alive client of platform/http/keep-alive-fetcher.ts). */
  fetcher?: Fetcher;
}

export async function startGateway(
  config: GatewayConfig,
  dependencies: GatewayDependencies = {},
): Promise<RunningGateway> {
  const logger = dependencies.logger ?? createLogger('gateway', config.logLevel);
  const metrics = createMetricsRegistry('gateway');
  const fetchDuration = createSubgraphFetchMetrics(metrics);
  const verifier = createTokenVerifier(config.auth, { acceptServiceTokens: false });
  const fetcher = dependencies.fetcher ?? createKeepAliveFetcher();
  const rateLimiter = createRateLimiter(config.rateLimit);
  const limits = queryLimitProtection(config.queryLimits, { production: config.production });
  const buildService = (name: string, url: string) => {
    const override = config.subgraphUrls[name as keyof typeof config.subgraphUrls];
    return instrumentSubgraphFetches(new SubgraphDataSource(override ?? url, fetcher), name, fetchDuration);
  };
  const gateway = new ApolloGateway({
    supergraphSdl: config.supergraphSdl,
    experimental_approximateQueryPlanStoreMiB: config.queryPlanCacheMb,
    buildService: ({ name, url }) => buildService(name, url!),
    logger,
  });
  const documents = trustedDocuments<GatewayContext>(config.trustedDocuments.mode, config.trustedDocuments.manifest);
  const formatError = createErrorFormatter(logger);
  const subscriptions = createGatewaySubscriptions({
    config,
    buildService,
    verifier,
    logger,
    metrics,
    formatError,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: (formatted, error) => formatError(limits.nameTokenLimit(formatted), error),
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    csrfPrevention: true,
    // runProcess stops the server; a second stop started by Apollo's own signal handler never settles.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    persistedQueries: documents.persistedQueries,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    plugins: [
      createOperationMetricsPlugin<GatewayContext>(metrics),
      ...limits.plugins,
      // Sandbox needs introspection: the landing page comes and goes with it.
      config.introspection
        ? ApolloServerPluginLandingPageLocalDefault({ embed: { initialState: { pollForSchemaUpdates: false } } })
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });

  async function callerOf(authorization: string | undefined): Promise<Caller> {
    try {
      return await verifier.callerFrom(authorization);
    } catch (error) {
      if (isDomainError(error)) throw requestError(error.code, error.message, 401);
      throw error;
    }
  }

  const server = await startHttpServer<GatewayContext>({
    port: config.port,
    host: config.host,
    apollo,
    logger,
    metrics,
    maxBodyBytes: config.maxBodyBytes,
    corsOrigins: config.corsOrigins,
    ...config.lifecycle,
    readiness: async () => ({ ready: true, checks: { supergraph: 'loaded' } }),
    streams: subscriptions.streams,
    context: async ({ headers, correlationId, request }) => {
      const authorization = headers.authorization;
      const caller = await callerOf(authorization);
      // Keyed by the verified user, never by a claim the client merely sent.
      const key =
        caller.kind === 'user'
          ? `user:${caller.userId}`
          : `address:${clientAddressOf(headers, { trustForwardedFor: config.rateLimit.trustForwardedFor })}`;
      const decision = rateLimiter.take(key);
      if (!decision.allowed) throw rateLimited(decision.retryAfterSeconds);
      documents.admit(request);
      return { caller, authorization, correlationId };
    },
  });
  logger.info(
    { url: server.url, adminUrl: server.adminUrl, trustedDocuments: config.trustedDocuments.mode },
    'gateway ready',
  );
  return { ...server, stop: () => stopAll([subscriptions, server]), logger };
}

/** HTTP 429 with `Retry-After`, and the same wait in `extensions.retryAfterSeconds`. */
function rateLimited(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`too many requests: try again in ${retryAfterSeconds} s`, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}
