/**
 * The whole supergraph in the test process: the subgraphs on ephemeral ports, each with a
 * database of its own (the view: a data folder of its own), a stream of the test's own, a
 * supergraph composed in-process for their URLs, and the real gateway in front. A subgraph can be
 * stopped and started again on its port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { composeSupergraph, type SubgraphName } from '../../gateway/composition.ts';
import { loadGatewayConfig } from '../../gateway/config.ts';
import { startGateway, type RunningGateway } from '../../gateway/server.ts';
import type { RunningSubgraph } from '../../platform/subgraph-process.ts';
import { loadPriceConfig } from '../../subgraphs/price/config.ts';
import { startPriceService } from '../../subgraphs/price/service.ts';
import { loadReservationConfig } from '../../subgraphs/reservation/config.ts';
import { startReservationService } from '../../subgraphs/reservation/service.ts';
import { loadTicketConfig } from '../../subgraphs/ticket/config.ts';
import { startTicketService } from '../../subgraphs/ticket/service.ts';
import { loadViewConfig } from '../../subgraphs/view/config.ts';
import { startViewService, type RunningView } from '../../subgraphs/view/service.ts';
import { createSubgraphDatabases, type TestDatabase } from './databases.ts';
import { createTestStream, type TestStream } from './nats.ts';
import { serviceEnv, type ServiceName, type SystemLayout } from '../../system/topology.ts';

/** The subgraphs with a PostgreSQL database. */
export type DatabaseSubgraph = Exclude<SubgraphName, 'view'>;

export interface TestSupergraph {
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** Where each process serves `/health/*` and `/metrics` (its public origin unless `separateAdminPorts`). */
  adminUrls: Record<SubgraphName | 'gateway', string>;
  stream: TestStream;
  databaseUrls: Record<DatabaseSubgraph, string>;
  /** The view's data folder (its SQLite stores); kept while the view is stopped and started. */
  viewDataDir: string;
  /** Stops one subgraph (its consumer, relay and server), keeping its database and port. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts a stopped subgraph again on the same port, database and durable consumer (the view: data folder). */
  startSubgraph(name: SubgraphName): Promise<void>;
  /**
   * Starts one more replica of a subgraph on an ephemeral port, sharing its database, durable
   * consumer and outbox (so its relay runs beside the first one's). Stopped with the supergraph.
   */
  startReplica(name: 'ticket' | 'reservation' | 'price'): Promise<RunningSubgraph>;
  /**
   * Starts one more view replica on an ephemeral port with a data folder of its own: it builds
   * its store from the stream and consumes every event itself. Stopped with the supergraph.
   */
  startViewReplica(): Promise<RunningView>;
  /** Stops the gateway (gracefully, as on SIGTERM) and starts it again on the same port. */
  restartGateway(): Promise<void>;
  /** The environment a subgraph runs with (for starting it as a separate process). */
  envOf(name: SubgraphName): Record<string, string>;
  /**
   * One more gateway on the same subgraphs, with `env` on top of the test defaults (a limit
   * lowered, a trusted-documents mode). Stopped with the supergraph.
   */
  startGateway(env: Record<string, string>): Promise<RunningGateway>;
  stop(): Promise<void>;
}

export interface TestSupergraphOptions {
  /** Extra environment for the reservation subgraph (for example breaker settings). */
  reservationEnv?: Record<string, string>;
  /** Extra environment for the ticket and price subgraphs (for example consumer settings). */
  ticketEnv?: Record<string, string>;
  priceEnv?: Record<string, string>;
  /** A NATS server of the test's own (default: TEST_NATS_URL). */
  natsUrl?: string;
  /** Extra environment for the gateway (for example its trusted-documents mode). */
  gatewayEnv?: Record<string, string>;
  /** Every process serves health and metrics on an admin port of its own, as deployed (ADMIN_PORT). */
  separateAdminPorts?: boolean;
  /** Extra environment for every process (for example OTEL_* settings). */
  sharedEnv?: Record<string, string>;
}

/** The environment every test process gets: quiet logs and the test's own stream. */
export function testServiceEnv(stream: TestStream, databaseUrl?: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    NATS_URL: stream.url,
    NATS_STREAM: stream.stream,
    NATS_SUBJECT_PREFIX: stream.subjectPrefix,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '20' } : {}),
    PORT: '0',
  };
}

/**
 * The system's one description of its topology, laid out for a test: its ports, its databases
 * (already migrated from the template), its stream and consumers of its own, the view's folder.
 */
export function testSystemLayout(
  stream: TestStream,
  databaseUrls: Record<DatabaseSubgraph, string>,
  ports: Partial<Record<ServiceName, number>>,
  dataDir: string,
  options: TestSupergraphOptions = {},
): SystemLayout {
  return {
    ports: {
      ticket: ports.ticket ?? 0,
      reservation: ports.reservation ?? 0,
      price: ports.price ?? 0,
      view: ports.view ?? 0,
      gateway: ports.gateway ?? 0,
    },
    sharedEnv: {
      ...testServiceEnv(stream),
      DATABASE_POOL_SIZE: '20',
      ...(options.separateAdminPorts ? { ADMIN_PORT: '0' } : {}),
      ...options.sharedEnv,
    },
    databaseUrls,
    dataDir,
    overrides: {
      ticket: { MIGRATE_ON_START: 'false', TICKET_CONSUMER: `ticket_${stream.suffix}`, ...options.ticketEnv },
      price: { MIGRATE_ON_START: 'false', PRICE_CONSUMER: `price_${stream.suffix}`, ...options.priceEnv },
      reservation: { MIGRATE_ON_START: 'false', ...options.reservationEnv },
      view: { VIEW_INSTANCE_ID: `view-test-${stream.suffix}` },
    },
  };
}

export async function startTestSupergraph(options: TestSupergraphOptions = {}): Promise<TestSupergraph> {
  const stream = createTestStream(options.natsUrl);
  const databases = {} as Record<DatabaseSubgraph, TestDatabase>;
  const running = new Map<SubgraphName, { port: number; adminUrl: string; stop(): Promise<void> }>();
  const ports = {} as Record<SubgraphName, number>;
  const viewDirs: string[] = [];
  let gateway: RunningGateway | undefined;
  const extraGateways: RunningGateway[] = [];

  async function newViewDir(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ticketing-view-'));
    viewDirs.push(dir);
    return dir;
  }

  const layout = (): SystemLayout =>
    testSystemLayout(
      stream,
      { ticket: databases.ticket.url, reservation: databases.reservation.url, price: databases.price.url },
      ports,
      viewDirs[0]!,
      options,
    );

  const envOf = (name: SubgraphName): Record<string, string> => serviceEnv(name, layout());

  const starters: Record<DatabaseSubgraph, (env: Record<string, string>) => Promise<RunningSubgraph>> = {
    ticket: (env) => startTicketService(loadTicketConfig(env)),
    price: (env) => startPriceService(loadPriceConfig(env)),
    reservation: (env) => startReservationService(loadReservationConfig(env)),
  };
  const replicas: RunningSubgraph[] = [];

  async function startReplica(name: 'ticket' | 'reservation' | 'price'): Promise<RunningSubgraph> {
    const replica = await starters[name]({ ...envOf(name), PORT: '0' });
    replicas.push(replica);
    await replica.eventsAttached;
    return replica;
  }

  const views: RunningView[] = [];

  async function startViewReplica(): Promise<RunningView> {
    // A replica of its own: its own data folder and port, the same stream.
    const own = { ...layout(), dataDir: await newViewDir() };
    const replica = await startViewService(loadViewConfig({ ...serviceEnv('view', own), PORT: '0' }));
    views.push(replica);
    return replica;
  }

  async function startSubgraph(name: SubgraphName): Promise<void> {
    if (name === 'view') {
      const view = await startViewService(loadViewConfig(envOf('view')));
      ports.view = view.port;
      running.set('view', view);
      return;
    }
    const service = await starters[name](envOf(name));
    await service.eventsAttached;
    ports[name] = service.port;
    running.set(name, service);
  }

  async function stopSubgraph(name: SubgraphName): Promise<void> {
    await running.get(name)?.stop();
    running.delete(name);
  }

  async function stop(): Promise<void> {
    for (const extra of extraGateways) await extra.stop();
    await gateway?.stop();
    for (const replica of [...replicas, ...views]) await replica.stop();
    for (const name of ['view', 'reservation', 'price', 'ticket'] as const) await stopSubgraph(name);
    await Promise.all(Object.values(databases).map((db) => db.drop()));
    await Promise.all(viewDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    await stream.delete();
  }

  try {
    Object.assign(databases, await createSubgraphDatabases());
    await newViewDir();
    await startSubgraph('ticket');
    await Promise.all([startSubgraph('reservation'), startSubgraph('price'), startSubgraph('view')]);
    const subgraphUrls = {
      ticket: `http://127.0.0.1:${ports.ticket}/graphql`,
      reservation: `http://127.0.0.1:${ports.reservation}/graphql`,
      price: `http://127.0.0.1:${ports.price}/graphql`,
      view: `http://127.0.0.1:${ports.view}/graphql`,
    };
    const { supergraphSdl } = composeSupergraph(subgraphUrls);
    const gatewayEnv = {
      ...testServiceEnv(stream),
      ...(options.separateAdminPorts ? { ADMIN_PORT: '0' } : {}),
      ...options.gatewayEnv,
    };
    gateway = await startGateway({ ...loadGatewayConfig(gatewayEnv), supergraphSdl });
    const gatewayPort = gateway.port;
    async function restartGateway(): Promise<void> {
      await gateway?.stop();
      gateway = await startGateway({
        ...loadGatewayConfig({ ...gatewayEnv, PORT: String(gatewayPort) }),
        supergraphSdl,
      });
    }
    const adminUrlOf = (name: SubgraphName) => running.get(name)!.adminUrl;
    const startExtraGateway = async (env: Record<string, string>) => {
      const extra = await startGateway({
        ...loadGatewayConfig({ ...testServiceEnv(stream), SHUTDOWN_DELAY_MS: '0', ...env }),
        supergraphSdl,
      });
      extraGateways.push(extra);
      return extra;
    };
    return {
      gatewayUrl: gateway.url,
      restartGateway,
      subgraphUrls,
      adminUrls: {
        gateway: gateway.adminUrl,
        ticket: adminUrlOf('ticket'),
        reservation: adminUrlOf('reservation'),
        price: adminUrlOf('price'),
        view: adminUrlOf('view'),
      },
      stream,
      databaseUrls: {
        ticket: databases.ticket.url,
        reservation: databases.reservation.url,
        price: databases.price.url,
      },
      viewDataDir: envOf('view').VIEW_DATA_DIR!,
      stopSubgraph,
      startSubgraph,
      startReplica,
      startViewReplica,
      envOf,
      startGateway: startExtraGateway,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
