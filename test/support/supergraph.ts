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
  stop(): Promise<void>;
}

export interface TestSupergraphOptions {
  /** Extra environment for the reservation subgraph (for example breaker settings). */
  reservationEnv?: Record<string, string>;
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
  const stream = createTestStream();
  const databases = {} as Record<SubgraphName, TestDatabase>;
  const running = new Map<SubgraphName, RunningSubgraph>();
  const ports = {} as Record<SubgraphName, number>;
  let gateway: RunningGateway | undefined;

  const envFor = (name: SubgraphName) => ({
    ...testServiceEnv(stream, databases[name].url),
    PORT: String(ports[name] ?? 0),
  });

  const starters: Record<SubgraphName, () => Promise<RunningSubgraph>> = {
    ticket: () =>
      startTicketService(loadTicketConfig({ ...envFor('ticket'), TICKET_CONSUMER: `ticket_${stream.suffix}` })),
    price: () => startPriceService(loadPriceConfig({ ...envFor('price'), PRICE_CONSUMER: `price_${stream.suffix}` })),
    reservation: () =>
      startReservationService(
        loadReservationConfig({
          ...envFor('reservation'),
          TICKET_SERVICE_URL: `http://127.0.0.1:${ports.ticket}/graphql`,
          ...options.reservationEnv,
        }),
      ),
  };

  async function startSubgraph(name: SubgraphName): Promise<void> {
    const service = await starters[name]();
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
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
