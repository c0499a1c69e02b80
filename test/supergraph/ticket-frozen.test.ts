/**
 * Ticket frozen (as by SIGSTOP) while many users reserve the same ticket, then resumed: the holds
 * it had queued are applied late, and every one of them must be given back. Ticket's freeze is a
 * real TCP proxy that keeps the requests and delivers them on resume. The sweeper is set far out
 * of reach here, so only the requests' own abandonment can release the ticket: a hold whose first
 * attempt was sent must be abandoned even when its retry met the open circuit.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { errorCodes, graphql } from '../../operations/client.ts';
import { ReserveTicketDocument } from '../../operations/documents.generated.ts';
import { eventually } from '../support/eventually.ts';
import { startSupergraphBehindProxy, type SupergraphBehindProxy } from '../support/ticket-behind-proxy.ts';
import { tokenFor } from '../support/tokens.ts';

let system: SupergraphBehindProxy;

beforeAll(async () => {
  system = await startSupergraphBehindProxy({
    TICKET_CALL_TIMEOUT_MS: '300',
    TICKET_BREAKER_FAILURES: '3',
    TICKET_BREAKER_HALF_OPEN_AFTER_MS: '1000',
    TICKET_CALL_MAX_ATTEMPTS: '2',
    PENDING_RESERVATION_TIMEOUT_MS: '600000',
  });
});

afterAll(() => system?.stop());

it('when ticket freezes under a dozen concurrent reservations and resumes, the ticket ends reservable again', async () => {
  const { proxy, supergraph, statusOf } = system;
  const ticketId = await system.registerTicket();
  proxy.set({ kind: 'freeze' });

  const tokens = await Promise.all(Array.from({ length: 12 }, (_, i) => tokenFor(`frozen-${i}`)));
  const results = await Promise.all(
    tokens.map((token) => graphql(supergraph.gatewayUrl, ReserveTicketDocument, { variables: { ticketId }, token })),
  );
  expect(results.flatMap(errorCodes)).toEqual(Array(12).fill('TICKET_SERVICE_UNAVAILABLE'));

  proxy.set({ kind: 'pass' });

  // The queued holds reach ticket now; whichever wins is abandoned, so the ticket comes back.
  await eventually(async () => expect(await statusOf(ticketId)).toBe('AVAILABLE'));
  const next = await eventually(async () => {
    const result = await graphql(supergraph.gatewayUrl, ReserveTicketDocument, {
      variables: { ticketId },
      token: await tokenFor('after-the-freeze'),
    });
    expect(result.data?.reserveTicket.status).toBe('CONFIRMED');
    return result;
  });
  expect(next.data!.reserveTicket.ticket.id).toBe(ticketId);
  expect(await statusOf(ticketId)).toBe('RESERVED');
}, 60_000);
