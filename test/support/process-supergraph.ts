/**
 * The whole supergraph as separate processes, as in production (`node --import tsx <entry>` for
 * each subgraph and the gateway, started in dependency order by system/topology.ts), laid out like
 * the in-process test supergraph: databases of the test's own, a stream and consumers of its own,
 * loopback ports. For what needs a process per service (a service name per process in traces).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES, startSystem, type RunningSystem, type ServiceName } from '../../system/topology.ts';
import { createSubgraphDatabases, type TestDatabase } from './databases.ts';
import { createTestStream, type TestStream } from './nats.ts';
import { freePort } from '../../system/listening.ts';
import { testSystemLayout, type DatabaseSubgraph, type TestSupergraphOptions } from './supergraph.ts';

export interface ProcessSupergraph {
  gatewayUrl: string;
  system: RunningSystem;
  stream: TestStream;
  stop(): Promise<void>;
}

export async function startProcessSupergraph(options: TestSupergraphOptions = {}): Promise<ProcessSupergraph> {
  const stream = createTestStream(options.natsUrl);
  const databases: TestDatabase[] = [];
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketing-processes-'));
  let system: RunningSystem | undefined;

  async function stop(): Promise<void> {
    await system?.stop();
    await Promise.all(databases.map((database) => database.drop()));
    await rm(dataDir, { recursive: true, force: true });
    await stream.delete();
  }

  try {
    const { ticket, reservation, price } = await createSubgraphDatabases();
    databases.push(ticket, reservation, price);
    const ports = Object.fromEntries(
      await Promise.all(SERVICE_NAMES.map(async (name) => [name, await freePort()] as const)),
    ) as Record<ServiceName, number>;
    const databaseUrls: Record<DatabaseSubgraph, string> = {
      ticket: ticket.url,
      reservation: reservation.url,
      price: price.url,
    };
    system = await startSystem(testSystemLayout(stream, databaseUrls, ports, dataDir, options));
    return { gatewayUrl: system.services.gateway.url, system, stream, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
