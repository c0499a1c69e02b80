/**
 * How the hold client reports a failed hold: whether ticket may have applied it. Against a real
 * HTTP server on loopback that the test makes silent or makes refuse connections.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { authConfigFrom } from '../../../platform/config.ts';
import { TicketServiceUnavailable } from '../domain/errors.ts';
import { createTicketHoldClient } from './ticket-hold-client.ts';
import { createTicketCallPolicy, type TicketCallPolicyOptions } from './ticket-hold-policy.ts';
import { aCausation, rejectionOf } from '../../../test/support/domain.ts';

const TICKET_ID = '00000000-0000-4000-8000-000000000001';
const RESERVATION_ID = '00000000-0000-4000-8000-000000000002';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A ticket that reads every request and never answers; counts what reached it. */
async function aSilentTicket(): Promise<{ url: string; received: () => number }> {
  let received = 0;
  const server = http.createServer((request) => {
    received += 1;
    request.resume();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, received: () => received };
}

function aHoldClient(ticketUrl: string, overrides: Partial<TicketCallPolicyOptions> = {}) {
  const policy = createTicketCallPolicy(
    {
      // Long enough for the request to reach the silent ticket even on a busy machine.
      timeoutMs: 1000,
      breakerFailures: 1,
      halfOpenAfterMs: 60_000,
      bulkheadLimit: 4,
      bulkheadQueue: 0,
      maxAttempts: 2,
      ...overrides,
    },
    pino({ level: 'silent' }),
    new Registry(),
  );
  return {
    client: createTicketHoldClient({
      ticketUrl,
      auth: authConfigFrom({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
      callPolicy: policy,
    }),
    policy,
  };
}

describe('the ticket hold client', () => {
  it('when the first attempt times out and the retry meets the circuit it opened, the outcome is unknown', async () => {
    const ticket = await aSilentTicket();
    const { client } = aHoldClient(ticket.url);

    const error = await rejectionOf(() => client.hold(TICKET_ID, RESERVATION_ID, aCausation()));

    expect(error).toBeInstanceOf(TicketServiceUnavailable);
    expect(error).toMatchObject({ outcomeUnknown: true });
    expect(ticket.received()).toBe(1);
  });

  it('when the circuit is already open, the hold is never sent and the outcome is known: nothing held', async () => {
    const ticket = await aSilentTicket();
    const { client } = aHoldClient(ticket.url, { maxAttempts: 1 });
    await rejectionOf(() => client.hold(TICKET_ID, RESERVATION_ID, aCausation()));

    const error = await rejectionOf(() => client.hold(TICKET_ID, RESERVATION_ID, aCausation()));

    expect(error).toMatchObject({ code: 'TICKET_SERVICE_UNAVAILABLE', outcomeUnknown: false });
    expect(ticket.received()).toBe(1);
  });
});
