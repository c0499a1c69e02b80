/**
 * Wiring of the view subgraph: configuration in, a running subgraph out. It has no PostgreSQL and
 * publishes nothing: its store is a local SQLite file built from the stream, so the lifecycle is
 * its own — NATS (in the background), the HTTP server, then the store, opened or built first.
 * `stop` undoes it in reverse: readiness false and in-flight requests finished, the projector
 * stopped and the store closed, NATS drained.
 */
import type { Registry } from 'prom-client';
import { createTokenVerifier } from '../../platform/auth/tokens.ts';
import { connectMessaging } from '../../platform/events/messaging.ts';
import { readSchema, startSubgraphServer } from '../../platform/graphql/subgraph-server.ts';
import { stopAll, type Stoppable } from '../../platform/lifecycle.ts';
import { createLogger, type Logger } from '../../platform/logging.ts';
import { createMetricsRegistry } from '../../platform/metrics.ts';
import { consumerPrefixOf, type ViewConfig } from './config.ts';
import { storeDirectory } from './data/store-directory.ts';
import type { ViewDeps } from './domain/ports.ts';
import { createLiveView, type LiveView } from './events/live-view.ts';
import { createViewContext, resolvers } from './graphql/resolvers.ts';
import { createChangeFeed } from './subscriptions/change-feed.ts';
import { measureSubscriptions } from './subscriptions/subscription-metrics.ts';
import { createSubscriptionServer } from './subscriptions/subscription-server.ts';

export const viewTypeDefs = readSchema(new URL('./schema.graphql', import.meta.url));

export interface RunningView extends Stoppable {
  url: string;
  port: number;
  /** Where `/health/*` and `/metrics` are served (the public port's origin unless ADMIN_PORT is set). */
  adminUrl: string;
  logger: Logger;
  metrics: Registry;
  view: LiveView;
}

export async function startViewService(config: ViewConfig, logger?: Logger): Promise<RunningView> {
  const log = logger ?? createLogger('view', config.logLevel);
  const metrics = createMetricsRegistry('view');
  const started: Stoppable[] = [];
  try {
    const messaging = connectMessaging(config.nats, `view-${config.instanceId}`, log);
    started.push(messaging);
    const view = createLiveView({
      directory: storeDirectory(config.dataDir),
      connector: messaging,
      nats: config.nats,
      consumerPrefix: consumerPrefixOf(config),
      logger: log,
      metrics,
    });
    started.push(view);
    const deps: ViewDeps = { boards: view.boards, clock: () => new Date() };
    const changes = createChangeFeed({
      connector: messaging,
      nats: config.nats,
      consumerPrefix: consumerPrefixOf(config),
      logger: log,
      maxQueued: config.subscriptions.queueEvents,
    });
    started.push(changes);
    const verifier = createTokenVerifier(config.auth, { acceptServiceTokens: false });
    const subscriptionMetrics = measureSubscriptions(metrics, changes);
    const server = await startSubgraphServer({
      typeDefs: viewTypeDefs,
      resolvers,
      port: config.port,
      host: config.host,
      verifier,
      logger: log,
      metrics,
      production: config.production,
      lifecycle: config.lifecycle,
      extendContext: (base) => createViewContext(base, deps),
      readiness: view.readiness,
      streams: (schema) =>
        createSubscriptionServer({
          schema,
          verifier,
          deps,
          changes,
          applied: view.applied,
          logger: log,
          keepAliveMs: config.subscriptions.keepAliveMs,
          onConnectionsChanged: subscriptionMetrics.connections,
        }),
    });
    started.push(server);
    // Listening already, so /health/ready can say the first store is being built.
    await view.start();
    log.info({ url: server.url }, 'view subgraph ready');
    return {
      url: server.url,
      port: server.port,
      adminUrl: server.adminUrl,
      logger: log,
      metrics,
      view,
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started).catch((stopError) => log.error({ err: stopError }, 'cleanup after a failed start failed'));
    throw error;
  }
}
