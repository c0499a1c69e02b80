/**
 * The whole supergraph in the test process: the three subgraphs on ephemeral ports, each with a
 * database of its own, a stream of the test's own, a supergraph composed in-process for their
 * URLs, and the real gateway in front. A subgraph can be stopped and started again on its port.
 */
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
import { createTestDatabase, type TestDatabase } from './databases.ts';
import { createTestStream, type TestStream } from './nats.ts';

export interface TestSupergraph {
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  stream: TestStream;
  databaseUrls: Record<SubgraphName, string>;
  /** Stops one subgraph (its consumer, relay and server), keeping its database and port. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts a stopped subgraph again on the same port, database and durable consumer. */
  startSubgraph(name: SubgraphName): Promise<void>;
  /**
   * Starts one more replica of a subgraph on an ephemeral port, sharing its database, durable
   * consumer and outbox (so its relay runs beside the first one's). Stopped with the supergraph.
   */
  startReplica(name: 'ticket' | 'reservation' | 'price'): Promise<RunningSubgraph>;
  /** The environment a subgraph runs with (for starting it as a separate process). */
  envOf(name: 'ticket' | 'reservation' | 'price'): Record<string, string>;
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

export async function startTestSupergraph(options: TestSupergraphOptions = {}): Promise<TestSupergraph> {
  const stream = createTestStream(options.natsUrl);
  const databases = {} as Record<SubgraphName, TestDatabase>;
  const running = new Map<SubgraphName, RunningSubgraph>();
  const ports = {} as Record<SubgraphName, number>;
  let gateway: RunningGateway | undefined;

  const envFor = (name: SubgraphName) => ({
    ...testServiceEnv(stream, databases[name].url),
    PORT: String(ports[name] ?? 0),
  });

  function envOf(name: 'ticket' | 'reservation' | 'price'): Record<string, string> {
    switch (name) {
      case 'ticket':
        return { ...envFor('ticket'), TICKET_CONSUMER: `ticket_${stream.suffix}`, ...options.ticketEnv };
      case 'price':
        return { ...envFor('price'), PRICE_CONSUMER: `price_${stream.suffix}`, ...options.priceEnv };
      case 'reservation':
        return {
          ...envFor('reservation'),
          TICKET_SERVICE_URL: `http://127.0.0.1:${ports.ticket}/graphql`,
          ...options.reservationEnv,
        };
    }
  }

  const starters: Record<SubgraphName, (env: Record<string, string>) => Promise<RunningSubgraph>> = {
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

  async function startSubgraph(name: SubgraphName): Promise<void> {
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
    await gateway?.stop();
    for (const replica of replicas) await replica.stop();
    for (const name of ['reservation', 'price', 'ticket'] as const) await stopSubgraph(name);
    await Promise.all(Object.values(databases).map((db) => db.drop()));
    await stream.delete();
  }

  try {
    const [ticketDb, reservationDb, priceDb] = await Promise.all([
      createTestDatabase('ticket'),
      createTestDatabase('reservation'),
      createTestDatabase('price'),
    ]);
    Object.assign(databases, { ticket: ticketDb, reservation: reservationDb, price: priceDb });
    await startSubgraph('ticket');
    await Promise.all([startSubgraph('reservation'), startSubgraph('price')]);
    const subgraphUrls = {
      ticket: `http://127.0.0.1:${ports.ticket}/graphql`,
      reservation: `http://127.0.0.1:${ports.reservation}/graphql`,
      price: `http://127.0.0.1:${ports.price}/graphql`,
    };
    const { supergraphSdl } = composeSupergraph(subgraphUrls);
    gateway = await startGateway({ ...loadGatewayConfig(testServiceEnv(stream)), supergraphSdl });
    return {
      gatewayUrl: gateway.url,
      subgraphUrls,
      stream,
      databaseUrls: { ticket: ticketDb.url, reservation: reservationDb.url, price: priceDb.url },
      stopSubgraph,
      startSubgraph,
      startReplica,
      envOf,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
