/**
 * The fallback of the one synchronous call: while ticket cannot answer, reserveTicket fails fast
 * with TICKET_SERVICE_UNAVAILABLE and retryAfterSeconds, leaves nothing behind, and recovers.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { errorCodes, graphql } from '../../operations/client.ts';
import {
  MyReservationsDocument,
  RegisterTicketDocument,
  ReserveTicketStatusDocument,
} from '../../operations/documents.generated.ts';
import { aTicket } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';

let supergraph: TestSupergraph;
let user: string;

beforeAll(async () => {
  supergraph = await startTestSupergraph({
    reservationEnv: {
      TICKET_BREAKER_FAILURES: '2',
      TICKET_BREAKER_HALF_OPEN_AFTER_MS: '1500',
      TICKET_CALL_MAX_ATTEMPTS: '1',
    },
  });
  user = await tokenFor('patient-user');
});

afterAll(async () => {
  await supergraph?.stop();
});

it('when ticket is down, reserving fails fast with TICKET_SERVICE_UNAVAILABLE and works again once ticket is back', async () => {
  const registered = await graphql(supergraph.gatewayUrl, RegisterTicketDocument, {
    variables: { input: aTicket() },
    token: await adminToken(),
  });
  const ticketId = registered.data!.registerTicket.id;

  await supergraph.stopSubgraph('ticket');
  try {
    for (let attempt = 0; attempt < 4; attempt++) {
      const started = Date.now();
      const result = await graphql(supergraph.gatewayUrl, ReserveTicketStatusDocument, {
        variables: { ticketId },
        token: user,
      });
      expect(errorCodes(result)).toEqual(['TICKET_SERVICE_UNAVAILABLE']);
      expect(result.errors![0]!.extensions!.retryAfterSeconds).toEqual(expect.any(Number));
      expect(result.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    // Nothing half-done: no reservation was confirmed for the failed attempts.
    const mine = await graphql(supergraph.gatewayUrl, MyReservationsDocument, { token: user });
    expect(mine.data!.myReservations.edges).toEqual([]);
  } finally {
    await supergraph.startSubgraph('ticket');
  }

  const reserved = await eventually(
    async () => {
      const result = await graphql(supergraph.gatewayUrl, ReserveTicketStatusDocument, {
        variables: { ticketId },
        token: user,
      });
      expect(result.errors).toBeUndefined();
      return result.data!.reserveTicket;
    },
    10_000,
    250,
  );
  expect(reserved.status).toBe('CONFIRMED');
  const mine = await graphql(supergraph.gatewayUrl, MyReservationsDocument, { token: user });
  expect(mine.data!.myReservations.edges).toHaveLength(1);
});
