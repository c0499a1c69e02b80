/**
 * Subscriptions through the real gateway, fed by the real stream: a graphql-ws client and a
 * Server-Sent Events client watch a ticket being reserved and released, with its price from the
 * price subgraph resolved per event; another user's reservation never reaches
 * `myReservationChanged`; the limits refuse with their codes; a client resumes after the last
 * position it saw.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';
import { issueUserToken } from '../../platform/auth/tokens.ts';
import { authConfigFrom } from '../../platform/config.ts';
import { newEvent } from '../../ticketing/events/envelope.ts';
import { graphql } from '../../operations/client.ts';
import {
  CancelReservationDocument,
  MyReservationChangedDocument,
  RegisterTicketDocument,
  ReserveTicketDocument,
  TicketBoardChangedDocument,
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
import { createTestPublisher } from '../support/publisher.ts';
import { adminToken, forgedToken, tokenFor } from '../support/tokens.ts';

let supergraph: TestSupergraph;
let admin: string;
let vip: string;
/** What a test opened, closed after it: a test that fails midway must not fail the ones after it. */
const clients: Client[] = [];
const openSse: LiveSubscription<unknown>[] = [];

/** Small limits, so each is reached with a few subscriptions. */
const GATEWAY_LIMITS = {
  SUBSCRIPTIONS_PER_CONNECTION: '3',
  SUBSCRIPTIONS_PER_CALLER: '4',
  SUBSCRIPTION_CONNECTION_INIT_TIMEOUT_MS: '1000',
  SUBSCRIPTION_BUFFER_EVENTS: '5',
};

/** The saga's completion time on a loaded machine: reserve, hold, events, price. */
const SAGA_MS = 15_000;

beforeAll(async () => {
  supergraph = await startTestSupergraph({ gatewayEnv: GATEWAY_LIMITS });
  [admin, vip] = await Promise.all([adminToken(), tokenFor('vip-subs', { grade: 'VIP' })]);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await supergraph?.stop();
});

/** subscribeOverSse, closed after the test even when the test failed before closing it. */
async function sse<TData, TVariables>(
  ...args: Parameters<typeof subscribeOverSse<TData, TVariables>>
): ReturnType<typeof subscribeOverSse<TData, TVariables>> {
  const subscription = await subscribeOverSse(...args);
  openSse.push(subscription);
  return subscription;
}

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

async function viewSubscriptions(): Promise<number> {
  const text = await (await fetch(supergraph.subgraphUrls.view.replace(/\/graphql$/, '/metrics'))).text();
  return Number(/^view_subscriptions_active(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
}

/** The view feeds `count` subscriptions: an event published from now on reaches them. */
async function viewFeeds(count: number): Promise<void> {
  await eventually(async () => expect(await viewSubscriptions()).toBeGreaterThanOrEqual(count), 10_000);
}

// Each test starts with no subscription left at the view, so viewFeeds counts only its own.
afterEach(async () => {
  await Promise.all([...openSse.splice(0).map((s) => s.close()), ...clients.splice(0).map((c) => c.dispose())]);
  await eventually(async () => expect(await viewSubscriptions()).toBe(0), 10_000);
});

/**
 * Every subscription of ticketChanged on `ticketId` receives events: probes (a release by a
 * reservation that holds nothing, which changes nothing) are published until each has one.
 */
async function onTheStream(subscriptions: LiveSubscription<unknown>[], ticketId: string): Promise<void> {
  const before = subscriptions.map((s) => s.results.length);
  const publisher = await createTestPublisher(supergraph.stream);
  const cause = { correlationId: 'probe', causationId: null };
  try {
    await eventually(async () => {
      await publisher.publish(newEvent('TicketReleased', { ticketId, reservationId: randomUUID() }, {}, cause));
      await sleepResolve(300);
      subscriptions.forEach((s, i) => expect(s.results.length).toBeGreaterThan(before[i]!));
    }, 20_000);
  } finally {
    await publisher.close();
  }
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
    const overSse = await sse(supergraph.gatewayUrl, TicketChangedDocument, {
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
    // Ticket's release and price's revert follow the cancellation side by side, in either order;
    // the later one's delivery shows both (its price is read when it is delivered).
    for (const subscription of [overWs, overSse]) {
      await until(subscription, (d) => ticketOf(d).status === 'AVAILABLE' && ticketOf(d).price?.vipDiscount === 0);
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

describe('ticketBoardChanged', () => {
  it("streams the board's entries as the view applies them, only those with the status asked for", async () => {
    const ticketId = await registerTicket();
    const reservedOnly = await sse(supergraph.gatewayUrl, TicketBoardChangedDocument, {
      variables: { status: 'RESERVED' },
    });
    await viewFeeds(1);
    const reserved = await graphql(supergraph.gatewayUrl, ReserveTicketDocument, {
      variables: { ticketId },
      token: vip,
    });
    expect(reserved.errors).toBeUndefined();
    const entry = await until(reservedOnly, (d) => d.ticketBoardChanged.ticketId === ticketId);
    expect(entry.data.ticketBoardChanged.status).toBe('RESERVED');
    await graphql(supergraph.gatewayUrl, CancelReservationDocument, {
      variables: { id: reserved.data!.reserveTicket.id },
      token: vip,
    });
    await until(
      reservedOnly,
      (d) => d.ticketBoardChanged.ticketId === ticketId && (d.ticketBoardChanged.vipDiscount ?? 0) > 0,
    );
    expect(reservedOnly.results.every((r) => r.data?.ticketBoardChanged.status === 'RESERVED')).toBe(true);
    await reservedOnly.close();
  });
});

describe('resuming', () => {
  it('delivers what happened while the client was away, after the last position it saw', async () => {
    const ticketId = await registerTicket();
    const user = await tokenFor('resumer');
    const first = subscribeOverWebSocket(wsClient(user), TicketChangedDocument, { ticketIds: [ticketId] });
    await viewFeeds(1);
    const reserved = await graphql(supergraph.gatewayUrl, ReserveTicketDocument, {
      variables: { ticketId },
      token: user,
    });
    const held = await until(first, (d) => ticketOf(d).status === 'RESERVED');
    await first.close();

    await graphql(supergraph.gatewayUrl, CancelReservationDocument, {
      variables: { id: reserved.data!.reserveTicket.id },
      token: user,
    });
    const resumed = subscribeOverWebSocket(wsClient(user), TicketChangedDocument, {
      ticketIds: [ticketId],
      after: held.position,
    });
    const released = await until(resumed, (d) => ticketOf(d).status === 'AVAILABLE');
    expect(Number(released.position)).toBeGreaterThan(Number(held.position));
    await resumed.close();
  });
});

describe('limits', () => {
  const watch = (client: Client, ticketId: string) =>
    subscribeOverWebSocket(client, TicketChangedDocument, { ticketIds: [ticketId] });

  it('refuses a subscription over the per-connection and per-caller limits with TOO_MANY_SUBSCRIPTIONS', async () => {
    const ticketId = await registerTicket();
    const carol = await tokenFor('carol-limits');
    const connection = wsClient(carol);
    const held = [watch(connection, ticketId), watch(connection, ticketId), watch(connection, ticketId)];
    const overConnection = watch(connection, ticketId);
    expect(await overConnection.ended).toEqual([
      expect.objectContaining({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }),
    ]);
    const another = wsClient(carol);
    held.push(watch(another, ticketId));
    const overCaller = watch(another, ticketId);
    expect(await overCaller.ended).toEqual([
      expect.objectContaining({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }),
    ]);
    const overSse = await sse(supergraph.gatewayUrl, TicketChangedDocument, {
      variables: { ticketIds: [ticketId] },
      token: carol,
    });
    expect(overSse.status).toBe(429);
    expect(overSse.refusal?.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    // The limits count running subscriptions: one ended makes room for another.
    await held.pop()!.close();
    await eventually(async () => {
      const again = watch(another, ticketId);
      const outcome = await Promise.race([again.ended.then(() => 'refused'), sleepResolve(300)]);
      if (outcome === 'running') held.push(again);
      expect(outcome).toBe('running');
    });
    await Promise.all(held.map((h) => h.close()));
  });

  it('closes a WebSocket that sends no connection_init in time with 4408', async () => {
    const socket = new WebSocket(supergraph.gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => socket.once('close', (closed) => resolve(closed)));
    expect(code).toBe(4408);
  });

  it('refuses a bad token at connection: 4403 over WebSocket, 401 over Server-Sent Events', async () => {
    const forged = await forgedToken();
    const closes: number[] = [];
    const client = closeWatchingClient(closes, { connectionParams: { authorization: `Bearer ${forged}` } });
    const refused = subscribeOverWebSocket(client, TicketChangedDocument, { ticketIds: [randomUUID()] });
    await refused.ended;
    expect(closes).toEqual([4403]);
    const overSse = await sse(supergraph.gatewayUrl, TicketChangedDocument, {
      variables: { ticketIds: [randomUUID()] },
      token: forged,
    });
    expect(overSse.status).toBe(401);
    expect(overSse.refusal?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('ends a subscription with UNAUTHENTICATED when its token expires', async () => {
    const shortLived = await issueUserToken(
      authConfigFrom({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
      { sub: 'short-lived', roles: ['USER'], grade: 'NORMAL' },
      { expiresIn: Math.floor(Date.now() / 1000) + 2 },
    );
    for (const subscription of [
      subscribeOverWebSocket(wsClient(shortLived), MyReservationChangedDocument, {}),
      await sse(supergraph.gatewayUrl, MyReservationChangedDocument, { token: shortLived }),
    ]) {
      const last = await subscription.next(10_000);
      expect(last.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await subscription.ended;
    }
  });

  it('cuts off a subscriber whose undelivered events overflow its buffer with 4413', async () => {
    const ticketId = await registerTicket();
    const closes: number[] = [];
    const client = closeWatchingClient(closes);
    const flooded = subscribeOverWebSocket(client, TicketChangedDocument, { ticketIds: [ticketId] });
    await onTheStream([flooded], ticketId);
    // Far more events at once than the gateway completes (a fetch from ticket and price each)
    // while its buffer of 5 fills.
    const publisher = await createTestPublisher(supergraph.stream);
    try {
      const cause = { correlationId: 'flood', causationId: null };
      await Promise.all(
        Array.from({ length: 300 }, () =>
          publisher.publish(newEvent('TicketHeld', { ticketId, reservationId: randomUUID() }, {}, cause)),
        ),
      );
    } finally {
      await publisher.close();
    }
    await flooded.ended;
    expect(closes).toEqual([4413]);
  });
});

describe('trusted documents', () => {
  it('in require mode, serve only the manifest’s subscriptions', async () => {
    const strict = await supergraph.startGateway({ TRUSTED_DOCUMENTS: 'require' });
    const freeForm = await fetch(strict.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { ticketBoardChanged { ticketId } }' }),
    });
    expect(freeForm.status).toBe(400);
    expect(((await freeForm.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'PERSISTED_QUERY_REQUIRED',
    );
    const trusted = await sse(strict.url, TicketChangedDocument, {
      variables: { ticketIds: [randomUUID()] },
    });
    expect(trusted.status).toBe(200);
    await trusted.close();
  });
});

describe('a gateway restart', () => {
  it('ends with every client back on the stream after reconnecting', async () => {
    const ticketId = await registerTicket();
    const closes: number[] = [];
    const watchers = Array.from({ length: 3 }, (_, i) => {
      const client = closeWatchingClient(closes, {
        retryAttempts: 20,
        retryWait: async () => sleepResolve(200).then(() => {}),
      });
      void i;
      return subscribeOverWebSocket(client, TicketChangedDocument, { ticketIds: [ticketId] });
    });
    await onTheStream(watchers, ticketId);
    await supergraph.restartGateway();
    expect(closes).toEqual([1012, 1012, 1012]);
    // Each client subscribes again on its own, to the new gateway.
    await onTheStream(watchers, ticketId);
    const user = await tokenFor('after-restart');
    const reserved = await graphql(supergraph.gatewayUrl, ReserveTicketDocument, {
      variables: { ticketId },
      token: user,
    });
    expect(reserved.errors).toBeUndefined();
    for (const watcher of watchers) await until(watcher, (d) => ticketOf(d).status === 'RESERVED');
    await Promise.all(watchers.map((w) => w.close()));
  });
});

/** A graphql-ws client of the gateway that records the close code of each of its connections. */
function closeWatchingClient(closes: number[], options: Partial<ClientOptions> = {}): Client {
  const client = createClient({
    url: supergraph.gatewayUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    ...options,
    on: { closed: (event) => void closes.push((event as { code: number }).code) },
  });
  clients.push(client);
  return client;
}

function sleepResolve(ms: number): Promise<'running'> {
  return new Promise((resolve) => setTimeout(() => resolve('running'), ms));
}
