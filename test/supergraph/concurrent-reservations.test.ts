/** The race for one ticket, through the gateway: the atomic hold lets exactly one caller win. */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { errorCodes, graphql } from '../../operations/client.ts';
import {
  RegisterTicketDocument,
  ReserveTicketStatusDocument,
  TicketStatusDocument,
} from '../../operations/documents.generated.ts';
import { aTicket } from '../support/builders.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';

const CONTENDERS = 50;

let supergraph: TestSupergraph;
let tokens: string[];

beforeAll(async () => {
  // The race is about atomicity, not latency: fifty holds queue on one row lock, and on a busy
  // machine (the other test worker may be running the nemesis) that can outlast the 2 s default
  // timeout, which would turn losers into TICKET_SERVICE_UNAVAILABLE rather than test the race.
  supergraph = await startTestSupergraph({
    reservationEnv: {
      TICKET_CALL_TIMEOUT_MS: '15000',
      TICKET_CALL_MAX_ATTEMPTS: '1',
      PENDING_RESERVATION_TIMEOUT_MS: '60000',
    },
  });
  tokens = await Promise.all(Array.from({ length: CONTENDERS }, (_, i) => tokenFor(`racer-${i}`)));
});

afterAll(async () => {
  await supergraph?.stop();
});

it.each([1, 2, 3])(
  'when 50 users reserve the same ticket at once, exactly one wins and 49 get TICKET_NOT_AVAILABLE (round %i)',
  async () => {
    const registered = await graphql(supergraph.gatewayUrl, RegisterTicketDocument, {
      variables: { input: aTicket() },
      token: await adminToken(),
    });
    const ticketId = registered.data!.registerTicket.id;

    const results = await Promise.all(
      tokens.map((token) =>
        graphql(supergraph.gatewayUrl, ReserveTicketStatusDocument, { variables: { ticketId }, token }),
      ),
    );

    const winners = results.filter((r) => r.data?.reserveTicket);
    const losers = results.filter((r) => errorCodes(r).includes('TICKET_NOT_AVAILABLE'));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(CONTENDERS - 1);
    const ticket = await graphql(supergraph.gatewayUrl, TicketStatusDocument, { variables: { id: ticketId } });
    expect(ticket.data!.ticket!.status).toBe('RESERVED');
  },
);
