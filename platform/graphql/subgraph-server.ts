/**
 * Serves a subgraph: its SDL and resolvers as a federated schema, tokens verified again here
 * (a subgraph called directly is no way around the gateway), errors formatted in one place.
 */
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { GraphQLSchema } from 'graphql';
import { gql } from 'graphql-tag';
import type { Registry } from 'prom-client';
import type { Caller } from '../../ticketing/caller.ts';
import type { TokenVerifier } from '../auth/tokens.ts';
import { isDomainError } from '../../ticketing/errors.ts';
import type { Logger } from '../logging.ts';
import {
  startHttpServer,
  type HttpLifecycleOptions,
  type LivenessReport,
  type ReadinessReport,
  type RequestInfo,
  type RunningHttpServer,
  type StreamEndpoint,
} from '../http/server.ts';
import type { RecordedContext } from '../http/request-scope.ts';
import { createErrorFormatter, requestError } from './errors.ts';
import { createOperationMetricsPlugin } from './operation-metrics-plugin.ts';

/**
 * What every resolver of every subgraph receives. No per-request logger: no resolver logs, and a
 * child logger per request cost every request its bindings' serialisation; the request's own log
 * line (platform/http/server.ts) carries the correlation id.
 */
export interface RequestContext extends RecordedContext {
  caller: Caller;
  correlationId: string;
}

export function readSchema(path: URL): string {
  return readFileSync(path, 'utf8');
}

export interface SubgraphServerOptions<TContext extends RequestContext> {
  typeDefs: string;
  // Resolver maps are checked per subgraph against their own types; the federation helper wants the loose form.
  resolvers: object;
  port: number;
  /** The address to listen on (default 0.0.0.0, every interface). */
  host?: string;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Registry;
  readiness: () => Promise<ReadinessReport>;
  /** Fatal conditions that fail `/health/live` (a wedged event loop always does). */
  liveness?: () => LivenessReport;
  /** Shutdown delay, drain and event-loop limits of the HTTP edge (`lifecycleConfigFrom`). */
  lifecycle?: HttpLifecycleOptions;
  /** Adds per-request state (DataLoaders, dependencies) to the base context. */
  extendContext: (base: RequestContext) => TContext;
  production: boolean;
  /** Serves this subgraph's subscriptions over WebSocket on the same port. */
  streams?: (schema: GraphQLSchema) => StreamEndpoint;
}

export async function startSubgraphServer<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<RunningHttpServer> {
  const { logger, verifier } = options;
  const schema = buildSubgraphSchema({
    typeDefs: gql(options.typeDefs),
    resolvers: options.resolvers as GraphQLResolverMap<unknown>,
  });
  const apollo = new ApolloServer<TContext>({
    schema,
    formatError: createErrorFormatter(logger),
    includeStacktraceInErrorResponses: false,
    introspection: !options.production,
    // The process stops the server itself (runProcess). Apollo's own SIGINT/SIGTERM handler would
    // start a second stop, and Apollo 5 never settles a stop() that waits for another one to finish.
    stopOnTerminationSignals: false,
    // Traces would go to Apollo's cloud, which a self-hosted gateway does not use. No schema has
    // cache hints, so working them out field by field would cost ~6 % of a read for nothing.
    plugins: [
      createOperationMetricsPlugin<TContext>(options.metrics),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ...(options.production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  return startHttpServer({
    port: options.port,
    host: options.host,
    apollo,
    logger,
    metrics: options.metrics,
    readiness: options.readiness,
    liveness: options.liveness,
    streams: options.streams?.(schema),
    ...options.lifecycle,
    context: async (request: RequestInfo) => {
      const caller = await callerOf(verifier, request);
      return options.extendContext({ caller, correlationId: request.correlationId });
    },
  });
}

async function callerOf(verifier: TokenVerifier, request: RequestInfo): Promise<Caller> {
  try {
    return await verifier.callerFrom(request.headers.authorization);
  } catch (error) {
    if (isDomainError(error)) throw requestError(error.code, error.message, 401);
    throw error;
  }
}
