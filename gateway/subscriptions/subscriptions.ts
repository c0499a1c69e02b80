/**
 * The gateway's subscriptions, wired: the planner over the supergraph the gateway runs, the
 * upstream connections to the owning subgraph, the executor that completes each event from the
 * other subgraphs through the same data sources queries use, the limits, the metrics, and the
 * two transports on the public endpoint. `stop` closes the upstream connections (the edge
 * closes the clients' own on shutdown).
 */
import type { GraphQLDataSource } from '@apollo/gateway';
import type { GraphQLError, GraphQLFormattedError, ValidationRule } from 'graphql';
import type { Registry } from 'prom-client';
import type { TokenVerifier } from '../../platform/auth/tokens.ts';
import type { StreamEndpoint } from '../../platform/http/server.ts';
import type { Logger } from '../../platform/logging.ts';
import type { GatewayConfig } from '../config.ts';
import { createEventExecutor } from './event-executor.ts';
import { createFederatedSubscriptions } from './federated-subscriptions.ts';
import { createSubscriptionEdge } from './subscription-edge.ts';
import { createSubscriptionLimits } from './subscription-limits.ts';
import { createSubscriptionMetrics } from './subscription-metrics.ts';
import { createSubscriptionPlanner } from './subscription-planner.ts';
import { createUpstreams } from './upstream.ts';

export interface GatewaySubscriptionsOptions {
  config: GatewayConfig;
  /** Builds a subgraph's data source the way the gateway does for queries. */
  buildService(name: string, url: string): GraphQLDataSource;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: Registry;
  formatError: (formatted: GraphQLFormattedError, error: GraphQLError) => GraphQLFormattedError;
  parseOptions: { maxTokens?: number };
  validationRules: readonly ValidationRule[];
}

export interface GatewaySubscriptions {
  streams: StreamEndpoint;
  stop(): Promise<void>;
}

export function createGatewaySubscriptions(options: GatewaySubscriptionsOptions): GatewaySubscriptions {
  const { config, logger } = options;
  const planner = createSubscriptionPlanner(config.supergraphSdl);
  const subgraphUrl = (name: string): string => {
    const url = config.subgraphUrls[name as keyof typeof config.subgraphUrls] ?? planner.subgraphUrl(name);
    if (!url) throw new Error(`the supergraph has no URL for subgraph ${name}`);
    return url;
  };
  const subgraphs = [...new Set(planner.subgraphNames())];
  const dataSources = Object.fromEntries(
    subgraphs.map((name) => [name, options.buildService(name, subgraphUrl(name))]),
  );
  const upstreams = createUpstreams({ logger, maxQueued: config.subscriptions.bufferEvents });
  const metrics = createSubscriptionMetrics(options.metrics);
  const subscriptions = createFederatedSubscriptions({
    planner,
    upstreams,
    execute: createEventExecutor(planner, dataSources, logger, options.formatError),
    verifier: options.verifier,
    limits: createSubscriptionLimits(config.subscriptions),
    metrics,
    logger,
    subgraphUrl,
    parseOptions: options.parseOptions,
    validationRules: options.validationRules,
    trustedDocuments: config.trustedDocuments,
  });
  const streams = createSubscriptionEdge({
    config: {
      ...config.subscriptions,
      maxBodyBytes: config.maxBodyBytes,
      trustForwardedFor: config.rateLimit.trustForwardedFor,
    },
    schema: planner.apiSchema,
    subscriptions,
    verifier: options.verifier,
    metrics,
  });
  return { streams, stop: () => upstreams.stop() };
}
