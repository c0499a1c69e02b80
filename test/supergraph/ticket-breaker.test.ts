/**
 * The circuit breaker on reservation → ticket, through the gateway, with ticket made slow, deaf to
 * its own answers, or its caller's database made to refuse the commit — by a real TCP proxy and a
 * real database trigger, not mocks. Settings: 300 ms timeout, 3 consecutive failures open the
 * circuit, 1.5 s before the trial call, no retries.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCodes, graphql, type GraphQLResult } from '../../operations/client.ts';
import { ReserveTicketStatusDocument, type ReserveTicketStatusMutation } from '../../operations/documents.generated.ts';
import { eventually } from '../support/eventually.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import type { TestSupergraph } from '../support/supergraph.ts';
import { startSupergraphBehindProxy, type SupergraphBehindProxy } from '../support/ticket-behind-proxy.ts';
import { tokenFor } from '../support/tokens.ts';

const HALF_OPEN_AFTER_MS = 1500;

let system: SupergraphBehindProxy;
let proxy: FaultProxy;
let supergraph: TestSupergraph;
let user: string;

beforeAll(async () => {
  system = await startSupergraphBehindProxy({
    TICKET_CALL_TIMEOUT_MS: '300',
    TICKET_BREAKER_FAILURES: '3',
    TICKET_BREAKER_HALF_OPEN_AFTER_MS: String(HALF_OPEN_AFTER_MS),
    TICKET_CALL_MAX_ATTEMPTS: '1',
  });
  ({ proxy, supergraph } = system);
  user = await tokenFor('breaker-user');
});

afterAll(() => system?.stop());

const registerTicket = () => system.registerTicket();
const statusOf = (ticketId: string) => system.statusOf(ticketId);

async function reserve(
  ticketId: string,
  token = user,
): Promise<{ result: GraphQLResult<ReserveTicketStatusMutation>; ms: number }> {
  const started = performance.now();
  const result = await graphql(supergraph.gatewayUrl, ReserveTicketStatusDocument, { variables: { ticketId }, token });
  return { result, ms: performance.now() - started };
}

async function breakerState(): Promise<number> {
  const metrics = await (await fetch(supergraph.subgraphUrls.reservation.replace('/graphql', '/metrics'))).text();
  return Number(/^ticket_circuit_breaker_state\{[^}]*\} (\d)/m.exec(metrics)?.[1]);
}

it('when ticket is slower than the timeout, the circuit opens, fails fast while open, and closes after a good trial call', async () => {
  const tickets = await Promise.all(Array.from({ length: 5 }, registerTicket));
  proxy.set({ kind: 'delay', ms: 1000 });

  for (const ticketId of tickets.slice(0, 3)) {
    const receivedBefore = proxy.received();
    const { result, ms } = await reserve(ticketId);
    expect(errorCodes(result)).toEqual(['TICKET_SERVICE_UNAVAILABLE']);
    expect(ms).toBeGreaterThanOrEqual(290);
    // Sent, and given up on at the timeout.
    expect(proxy.received()).toBeGreaterThan(receivedBefore);
  }
  expect(await breakerState()).toBe(1);

  const receivedBefore = proxy.received();
  const open = await reserve(tickets[3]!);
  expect(errorCodes(open.result)).toEqual(['TICKET_SERVICE_UNAVAILABLE']);
  // Refused before anything is sent or stored: no request reached ticket, and well under the
  // 300 ms a call would wait.
  expect(proxy.received()).toBe(receivedBefore);
  expect(open.ms).toBeLessThan(300);
  expect(open.result.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(open.result.errors![0]!.extensions!.retryAfterSeconds).toBeLessThanOrEqual(2);

  proxy.set({ kind: 'pass' });
  // Waiting out the breaker's half-open delay is the behaviour under test: the circuit lets a
  // trial call through only once that much time has passed, and nothing shows it earlier.
  await sleep(HALF_OPEN_AFTER_MS + 100);
  const trial = await reserve(tickets[4]!);
  expect(trial.result.errors).toBeUndefined();
  expect(await breakerState()).toBe(0);

  // The slow holds reached ticket after reservation gave up on them: they were abandoned, so
  // none of those tickets stays RESERVED by a reservation that does not exist.
  for (const ticketId of tickets.slice(0, 4))
    await eventually(async () => expect(await statusOf(ticketId)).toBe('AVAILABLE'));
  expect(await statusOf(tickets[4]!)).toBe('RESERVED');
});

it('when a hold is applied but its answer is lost, the ticket is released, not left RESERVED', async () => {
  const ticketId = await registerTicket();
  proxy.set({ kind: 'drop-responses' });
  const lost = await reserve(ticketId);
  expect(errorCodes(lost.result)).toEqual(['TICKET_SERVICE_UNAVAILABLE']);
  proxy.set({ kind: 'pass' });

  await eventually(async () => expect(await statusOf(ticketId)).toBe('AVAILABLE'));
  const next = await reserve(ticketId, await tokenFor('next-user'));
  expect(next.result.data!.reserveTicket.status).toBe('CONFIRMED');
});

it('when the reservation cannot be committed after the hold, the ticket is released', async () => {
  const ticketId = await registerTicket();
  const db = new pg.Client({ connectionString: supergraph.databaseUrls.reservation });
  await db.connect();
  try {
    await db.query(`CREATE FUNCTION refuse_reservation() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'the test refuses this reservation'; END $$`);
    await db.query(
      'CREATE TRIGGER refuse BEFORE INSERT ON reservation FOR EACH ROW EXECUTE FUNCTION refuse_reservation()',
    );
    const failed = await reserve(ticketId);
    expect(errorCodes(failed.result)).toEqual(['INTERNAL_SERVER_ERROR']);
    await eventually(async () => expect(await statusOf(ticketId)).toBe('AVAILABLE'));
  } finally {
    await db.query('DROP TRIGGER IF EXISTS refuse ON reservation');
    await db.end();
  }
  expect((await reserve(ticketId)).result.data!.reserveTicket.status).toBe('CONFIRMED');
});
