/**
 * A test supergraph whose reservation reaches ticket only through a fault proxy of the test's own,
 * and the few reads and writes the breaker and saga tests make through its gateway.
 */
import { graphql } from '../../operations/client.ts';
import { RegisterTicketDocument, TicketStatusDocument } from '../../operations/documents.generated.ts';
import { aTicket } from './builders.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { startTestSupergraph, type TestSupergraph } from './supergraph.ts';
import { adminToken } from './tokens.ts';

export interface SupergraphBehindProxy {
  proxy: FaultProxy;
  supergraph: TestSupergraph;
  /** Registers a ticket through the gateway; resolves with its id. */
  registerTicket(): Promise<string>;
  /** A ticket's status as clients see it. */
  statusOf(ticketId: string): Promise<string>;
  stop(): Promise<void>;
}

/** @param reservationEnv reservation's settings (breaker, timeouts, sweeper); its ticket URL is the proxy's. */
export async function startSupergraphBehindProxy(
  reservationEnv: Record<string, string>,
): Promise<SupergraphBehindProxy> {
  const proxy = await startFaultProxy();
  const supergraph = await startTestSupergraph({
    reservationEnv: { ...reservationEnv, TICKET_SERVICE_URL: proxy.url },
  }).catch(async (error: unknown) => {
    await proxy.close();
    throw error;
  });
  proxy.setTarget(Number(new URL(supergraph.subgraphUrls.ticket).port));
  return {
    proxy,
    supergraph,
    async registerTicket() {
      const result = await graphql(supergraph.gatewayUrl, RegisterTicketDocument, {
        variables: { input: aTicket() },
        token: await adminToken(),
      });
      return result.data!.registerTicket.id;
    },
    async statusOf(ticketId) {
      const result = await graphql(supergraph.gatewayUrl, TicketStatusDocument, { variables: { id: ticketId } });
      return result.data!.ticket!.status;
    },
    async stop() {
      await supergraph.stop();
      await proxy.close();
    },
  };
}
