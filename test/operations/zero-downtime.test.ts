/**
 * A rolling restart under load, as Kubernetes does one: two reservation replicas behind a load
 * balancer that routes only to ready backends, the gateway in front, a steady load of queries
 * and reservations, and each replica stopped gracefully (what SIGTERM runs) and started again in
 * turn. No request may fail and no acknowledged reservation may be missing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { composeSupergraph } from '../../gateway/composition.ts';
import { loadGatewayConfig } from '../../gateway/config.ts';
import { startGateway, type RunningGateway } from '../../gateway/server.ts';
import { graphql } from '../../operations/client.ts';
import {
  MyReservationsDocument,
  RegisterTicketDocument,
  ReserveTicketDocument,
} from '../../operations/documents.generated.ts';
import type { RunningSubgraph } from '../../platform/subgraph-process.ts';
import { loadReservationConfig } from '../../subgraphs/reservation/config.ts';
import { startReservationService } from '../../subgraphs/reservation/service.ts';
import { aTicket } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { startLoadBalancer, type LoadBalancer } from '../support/load-balancer.ts';
import { startTestSupergraph, testServiceEnv, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';

const POLL_MS = 100;
/** Longer than a readiness poll plus a request: the balancer stops routing before the replica stops accepting. */
const SHUTDOWN_DELAY_MS = 500;
const WORKERS = 4;
const TICKETS = 160;

/** A reservation replica that can be stopped and started again on its port, like a restarted pod. */
class Replica {
  private running?: RunningSubgraph;
  private port = 0;
  constructor(private readonly env: Record<string, string>) {}

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.running = await startReservationService(loadReservationConfig({ ...this.env, PORT: String(this.port) }));
    this.port = this.running.port;
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
  }
}

describe('a rolling restart of reservation under load', () => {
  let supergraph: TestSupergraph;
  let replicas: Replica[];
  let balancer: LoadBalancer;
  let gateway: RunningGateway;

  beforeAll(async () => {
    supergraph = await startTestSupergraph({ reservationEnv: { SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS) } });
    // The supergraph's own reservation is replaced by two replicas behind the balancer.
    await supergraph.stopSubgraph('reservation');
    replicas = [new Replica(supergraph.envOf('reservation')), new Replica(supergraph.envOf('reservation'))];
    for (const replica of replicas) await replica.start();
    balancer = await startLoadBalancer({ backends: replicas.map((r) => r.base), pollMs: POLL_MS });
    const { supergraphSdl } = composeSupergraph({
      ...supergraph.subgraphUrls,
      reservation: `${balancer.url}/graphql`,
    });
    gateway = await startGateway({ ...loadGatewayConfig(testServiceEnv(supergraph.stream)), supergraphSdl });
  });

  afterAll(async () => {
    await gateway?.stop();
    await balancer?.stop();
    for (const replica of replicas ?? []) await replica.stop();
    await supergraph?.stop();
  });

  it('answers every request and keeps every acknowledged reservation', async () => {
    const admin = await adminToken();
    const user = await tokenFor('rolling-restart-user');
    const ticketIds: string[] = [];
    for (let batch = 0; batch < TICKETS / 16; batch++) {
      const registered = await Promise.all(
        Array.from({ length: 16 }, () =>
          graphql(gateway.url, RegisterTicketDocument, { token: admin, variables: { input: aTicket() } }),
        ),
      );
      ticketIds.push(...registered.map((r) => r.data!.registerTicket.id));
    }

    const failures: string[] = [];
    const acknowledged: string[] = [];
    let requests = 0;
    let loading = true;
    const worker = async (index: number) => {
      for (let i = 0; loading; i++) {
        const ticketId = i % 3 === index % 3 ? ticketIds.pop() : undefined;
        try {
          const result = ticketId
            ? await graphql(gateway.url, ReserveTicketDocument, { token: user, variables: { ticketId } })
            : await graphql(gateway.url, MyReservationsDocument, { token: user, variables: { first: 5 } });
          requests++;
          if (result.status !== 200 || result.errors) {
            failures.push(`${result.status} ${JSON.stringify(result.errors)}`);
          } else if (result.data && 'reserveTicket' in result.data) {
            acknowledged.push(result.data.reserveTicket.id);
          }
        } catch (error) {
          requests++;
          failures.push(String(error));
        }
        // Pacing: a steady load, not a flood that starves the replicas' readiness probes.
        await sleep(5);
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));

    for (const replica of replicas) {
      // Stopped while it serves the load.
      await eventually(async () => expect(balancer.routed.get(replica.base)!).toBeGreaterThan(0));
      const servedBefore = balancer.routed.get(replica.base)!;
      const answeredBefore = requests;
      await replica.stop();
      expect(balancer.isRouting(replica.base)).toBe(false);
      await replica.start();
      await eventually(async () => expect(balancer.isRouting(replica.base)).toBe(true));
      // The load went on through the stop and the start.
      expect(requests - answeredBefore).toBeGreaterThanOrEqual(5);
      // The restarted replica takes traffic again.
      await eventually(async () => expect(balancer.routed.get(replica.base)!).toBeGreaterThan(servedBefore));
    }
    loading = false;
    await load;

    expect(failures).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(5);

    const client = new pg.Client({ connectionString: supergraph.databaseUrls.reservation });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string }>(
        'SELECT id::text AS id FROM reservation WHERE id::text = ANY($1)',
        [acknowledged],
      );
      expect(rows.map((row) => row.id).sort()).toEqual([...acknowledged].sort());
    } finally {
      await client.end();
    }
  });
});
