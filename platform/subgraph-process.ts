/**
 * The lifecycle every transactional subgraph shares, in start order: its database (embedded or
 * configured) and pool, the HTTP server, then — in the background, whenever NATS answers — the
 * stream, the outbox relay and the durable consumer. Writes never wait for NATS: the outbox holds
 * their events until it is up.
 *
 * `stop` undoes it in reverse: readiness false and in-flight requests finished first, the
 * consumer and relay stopped, NATS drained, the pool closed, the embedded store stopped.
 */
import pg from 'pg';
import { Gauge, type Registry } from 'prom-client';
import { createTokenVerifier } from './auth/tokens.ts';
import type { AuthConfig, ConsumerConfig, DatabaseConfig, LifecycleConfig, NatsConfig } from './config.ts';
import { openDatabase } from './database/database.ts';
import { keyedReads, type KeyedReads } from './database/keyed-reads.ts';
import { startDurableConsumer, type DurableConsumer, type EventConsumption } from './events/consumer.ts';
import { connectMessaging } from './events/messaging.ts';
import { createOutboxRelay, type OutboxRelay } from './events/outbox.ts';
import { startSubgraphServer, type RequestContext } from './graphql/subgraph-server.ts';
import { stopAll, type Stoppable } from './lifecycle.ts';
import { createLogger, type Logger } from './logging.ts';
import { createMetricsRegistry } from './metrics.ts';

export interface SubgraphProcessConfig {
  port: number;
  host: string;
  production: boolean;
  logLevel: string;
  auth: AuthConfig;
  nats: NatsConfig;
  database: DatabaseConfig;
  lifecycle?: LifecycleConfig;
}

export interface PrismaLike {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $disconnect(): Promise<void>;
}

export interface Wiring<TContext extends RequestContext> {
  typeDefs: string;
  resolvers: object;
  extendContext: (base: RequestContext) => TContext;
  /** The events this subgraph consumes, under its durable consumer. */
  consumer?: { durableName: string; handlers: EventConsumption; settings: ConsumerConfig };
  /** Runs once everything is up (for example seeding demo data). */
  afterStart?: () => Promise<void>;
  /** Starts work that runs in the background while the process serves; stopped before the database closes. */
  startBackgroundWork?: () => Stoppable;
}

export interface RunningSubgraph extends Stoppable {
  url: string;
  port: number;
  /** Where `/health/*` and `/metrics` are served (the public port's origin unless ADMIN_PORT is set). */
  adminUrl: string;
  logger: Logger;
  metrics: Registry;
  relay: OutboxRelay;
  /** Resolves once the relay (and consumer, if any) run: NATS answered. */
  eventsAttached: Promise<void>;
}

function measurePool(pool: pg.Pool, registry: Registry): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting clients)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
}

/**
 * `pool.end()` resolves as soon as it has asked its idle connections to close, not once they have:
 * an embedded store stopped right after would end those sessions itself, and each would fail as
 * an idle connection. This resolves once every connection is closed.
 */
async function closePool(pool: pg.Pool): Promise<void> {
  let open = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      if (--open === 0) resolve();
    });
  });
  await pool.end();
  await closed;
}

export async function startSubgraphProcess<TDb extends PrismaLike, TContext extends RequestContext>(options: {
  name: string;
  config: SubgraphProcessConfig;
  createDatabase: (pool: pg.Pool) => TDb;
  /**
   * `reads`: the pool's keyed reads, for the look-ups every federated read runs (platform/database/keyed-reads.ts);
   * `pool`: the pool under `db`, for the event paths that bypass Prisma (platform/database/pool-transaction.ts).
   */
  wire: (
    db: TDb,
    relay: OutboxRelay,
    logger: Logger,
    metrics: Registry,
    reads: KeyedReads,
    pool: pg.Pool,
  ) => Wiring<TContext>;
  logger?: Logger;
}): Promise<RunningSubgraph> {
  const { name, config } = options;
  const logger = options.logger ?? createLogger(name, config.logLevel);
  const metrics = createMetricsRegistry(name);
  const started: Stoppable[] = [];
  try {
    const database = await openDatabase(config.database, logger);
    started.push(database);
    // Pipelined: a statement leaves without waiting for the answer to the one before, which the
    // hot transactions use (pool-transaction.ts); one statement at a time, as Prisma sends them,
    // goes as before.
    const pool = new pg.Pool({ connectionString: database.url, max: config.database.poolSize, pipeline: true });
    pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
    started.push({ stop: () => closePool(pool) });
    measurePool(pool, metrics);
    const db = options.createDatabase(pool);
    started.push({ stop: () => db.$disconnect() });

    const relay = createOutboxRelay({ pool, subjectPrefix: config.nats.subjectPrefix, logger, metrics });
    // The backlog drains as soon as NATS is back, not at the end of a back-off.
    const messaging = connectMessaging(config.nats, name, logger, { onReconnect: () => relay.wake() });
    started.push(messaging);
    started.push(relay);
    const wiring = options.wire(db, relay, logger, metrics, keyedReads(pool), pool);
    if (wiring.startBackgroundWork) started.push(wiring.startBackgroundWork());

    let consumer: DurableConsumer | undefined;
    let stopping = false;
    started.push({
      stop: async () => {
        stopping = true;
        await consumer?.stop();
      },
    });
    const eventsAttached = messaging.ready.then(async (m) => {
      if (stopping) return;
      relay.start(m.js);
      if (!wiring.consumer) return;
      const { durableName, handlers, settings } = wiring.consumer;
      consumer = await startDurableConsumer({
        connection: m.connection,
        jsm: m.jsm,
        nats: config.nats,
        durableName,
        ...handlers,
        logger,
        metrics,
        ackWaitMs: settings.ackWaitMs,
        maxDeliver: settings.maxDeliver,
        crashBeforeAck: settings.crashBeforeAckOn ? (event) => event.type === settings.crashBeforeAckOn : undefined,
      });
      // Stopped while the consumer was being created: stop it too.
      if (stopping) await consumer.stop();
    });
    eventsAttached.catch((error) => logger.error({ err: error }, 'could not attach to the event stream'));

    const server = await startSubgraphServer({
      typeDefs: wiring.typeDefs,
      resolvers: wiring.resolvers,
      port: config.port,
      host: config.host,
      verifier: createTokenVerifier(config.auth, { acceptServiceTokens: true }),
      logger,
      metrics,
      production: config.production,
      lifecycle: config.lifecycle,
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
    return {
      url: server.url,
      port: server.port,
      adminUrl: server.adminUrl,
      logger,
      metrics,
      relay,
      eventsAttached,
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started).catch((stopError) =>
      logger.error({ err: stopError }, 'cleanup after a failed start failed'),
    );
    throw error;
  }
}
