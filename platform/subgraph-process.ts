/**
 * The lifecycle every transactional subgraph shares, in start order: its database (embedded or
 * configured), NATS and the stream, the outbox relay, its durable consumer, the HTTP server.
 * `stop` undoes it in reverse: readiness false and in-flight requests finished first, the
 * consumer and relay stopped, NATS drained, the pool closed, the embedded store stopped.
 */
import type { Registry } from 'prom-client';
import { createTokenVerifier } from './auth/tokens.ts';
import type { AuthConfig, DatabaseConfig, NatsConfig } from './config.ts';
import { openDatabase } from './database/database.ts';
import { startDurableConsumer, type DurableConsumer, type EventHandlers } from './events/consumer.ts';
import { startMessaging, type Messaging } from './events/messaging.ts';
import { createOutboxRelay, type OutboxDatabase, type OutboxRelay } from './events/outbox.ts';
import { startSubgraphServer, type RequestContext } from './graphql/subgraph-server.ts';
import type { RunningHttpServer } from './http/server.ts';
import { stopAll, type Stoppable } from './lifecycle.ts';
import { createLogger, type Logger } from './logging.ts';
import { createMetricsRegistry } from './metrics.ts';

export interface SubgraphProcessConfig {
  port: number;
  production: boolean;
  logLevel: string;
  auth: AuthConfig;
  nats: NatsConfig;
  database: DatabaseConfig;
}

export interface PrismaLike extends OutboxDatabase {
  $disconnect(): Promise<void>;
}

export interface Wiring<TContext extends RequestContext> {
  typeDefs: string;
  resolvers: object;
  extendContext: (base: RequestContext) => TContext;
  /** The events this subgraph consumes, under its durable consumer. */
  consumer?: { durableName: string; handlers: EventHandlers };
  /** Runs once everything is up (for example seeding demo data). */
  afterStart?: () => Promise<void>;
}

export interface RunningSubgraph extends Stoppable {
  url: string;
  port: number;
  logger: Logger;
  metrics: Registry;
  relay: OutboxRelay;
}

export async function startSubgraphProcess<TDb extends PrismaLike, TContext extends RequestContext>(options: {
  name: string;
  config: SubgraphProcessConfig;
  createDatabase: (url: string, poolSize: number) => TDb;
  wire: (db: TDb, relay: OutboxRelay, logger: Logger) => Wiring<TContext>;
  logger?: Logger;
}): Promise<RunningSubgraph> {
  const { name, config } = options;
  const logger = options.logger ?? createLogger(name, config.logLevel);
  const metrics = createMetricsRegistry(name);
  const started: Stoppable[] = [];
  try {
    const database = await openDatabase(config.database, logger);
    started.push(database);
    const db = options.createDatabase(database.url, config.database.poolSize);
    started.push({ stop: () => db.$disconnect() });

    const messaging: Messaging = await startMessaging(config.nats, name, logger);
    started.push(messaging);

    const relay = createOutboxRelay({
      db,
      js: messaging.js,
      subjectPrefix: config.nats.subjectPrefix,
      logger,
      metrics,
    });
    relay.start();
    started.push(relay);

    const wiring = options.wire(db, relay, logger);
    let consumer: DurableConsumer | undefined;
    if (wiring.consumer) {
      consumer = await startDurableConsumer({
        connection: messaging.connection,
        jsm: messaging.jsm,
        stream: config.nats.stream,
        subjectPrefix: config.nats.subjectPrefix,
        durableName: wiring.consumer.durableName,
        handlers: wiring.consumer.handlers,
        logger,
        metrics,
      });
      started.push(consumer);
    }

    const server: RunningHttpServer = await startSubgraphServer({
      typeDefs: wiring.typeDefs,
      resolvers: wiring.resolvers,
      port: config.port,
      verifier: createTokenVerifier(config.auth, { acceptServiceTokens: true }),
      logger,
      metrics,
      production: config.production,
      extendContext: wiring.extendContext,
      readiness: async () => {
        const databaseUp = await db.$queryRawUnsafe('SELECT 1').then(
          () => true,
          () => false,
        );
        // Writes never depend on NATS (the outbox holds events), so NATS is reported, not required.
        return { ready: databaseUp, checks: { database: databaseUp, nats: messaging.connected() } };
      },
    });
    started.push(server);
    await wiring.afterStart?.();
    logger.info({ url: server.url }, `${name} subgraph ready`);
    return { url: server.url, port: server.port, logger, metrics, relay, stop: () => stopAll(started) };
  } catch (error) {
    await stopAll(started).catch((stopError) =>
      logger.error({ err: stopError }, 'cleanup after a failed start failed'),
    );
    throw error;
  }
}
