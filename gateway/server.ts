/**
 * The gateway: @apollo/gateway over the static supergraph, behind @apollo/server on the shared
 * HTTP edge. Tokens are verified here first (a forged or expired token never reaches a subgraph).
 */
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { createTokenVerifier } from '../platform/auth/tokens.ts';
import { isDomainError } from '../platform/errors.ts';
import { createErrorFormatter, requestError } from '../platform/graphql/errors.ts';
import { startHttpServer, type RunningHttpServer } from '../platform/http/server.ts';
import { createLogger, type Logger } from '../platform/logging.ts';
import { createMetricsRegistry } from '../platform/metrics.ts';
import type { GatewayConfig } from './config.ts';
import type { GatewayContext } from './context.ts';
import { SubgraphDataSource } from './subgraph-data-source.ts';

export interface RunningGateway extends RunningHttpServer {
  logger: Logger;
}

export async function startGateway(
  config: GatewayConfig,
  logger = createLogger('gateway', config.logLevel),
): Promise<RunningGateway> {
  const metrics = createMetricsRegistry('gateway');
  const verifier = createTokenVerifier(config.auth, { acceptServiceTokens: false });
  const gateway = new ApolloGateway({
    supergraphSdl: config.supergraphSdl,
    experimental_approximateQueryPlanStoreMiB: config.queryPlanCacheMb,
    buildService: ({ name, url }) => {
      const override = config.subgraphUrls[name as keyof typeof config.subgraphUrls];
      return new SubgraphDataSource(override ?? url!);
    },
    logger,
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    introspection: !config.production,
    csrfPrevention: true,
    plugins: [
      config.production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: { initialState: { pollForSchemaUpdates: false } } }),
    ],
  });
  const server = await startHttpServer<GatewayContext>({
    port: config.port,
    apollo,
    logger,
    metrics,
    corsOrigins: config.corsOrigins,
    readiness: async () => ({ ready: true, checks: { supergraph: 'loaded' } }),
    context: async ({ headers, correlationId }) => {
      const authorization = headers.authorization;
      try {
        return { caller: await verifier.callerFrom(authorization), authorization, correlationId };
      } catch (error) {
        if (isDomainError(error)) throw requestError(error.code, error.message, 401);
        throw error;
      }
    },
  });
  logger.info({ url: server.url }, 'gateway ready');
  return { ...server, logger };
}
