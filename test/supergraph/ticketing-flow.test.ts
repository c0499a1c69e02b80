/**
 * The seven requirements (docs/architecture.md §3), end to end through the gateway over HTTP, with every kind
 * of caller: anonymous, USER, another USER, ADMIN, and forged and expired tokens.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { errorCodes, graphql } from '../../operations/client.ts';
import {
  CancelReservationDocument,
  MyReservationsDocument,
  PriceDocument,
  PricePoliciesDocument,
  RegisterTicketDocument,
  ReservationDocument,
  ReserveTicketDocument,
  TicketDocument,
  TicketsDocument,
} from '../../operations/documents.generated.ts';
import { HoldTicketDocument } from '../../subgraphs/reservation/clients/ticket-hold.generated.ts';
import { aTicket } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, expiredToken, forgedToken, tokenFor } from '../support/tokens.ts';

let supergraph: TestSupergraph;
let admin: string;
let vip: string;
let normal: string;
let otherUser: string;

const send = <TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  token?: string,
) => graphql(supergraph.gatewayUrl, document, { variables, token });

async function registerTicket(overrides = {}): Promise<string> {
  const result = await send(RegisterTicketDocument, { input: aTicket(overrides) }, admin);
  expect(result.errors).toBeUndefined();
  return result.data!.registerTicket.id;
}

async function priceOf(ticketId: string) {
  const result = await send(PriceDocument, { ticketId });
  expect(result.errors).toBeUndefined();
  return result.data!.price;
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  [admin, vip, normal, otherUser] = await Promise.all([
    adminToken(),
    tokenFor('vip-1', { grade: 'VIP' }),
    tokenFor('user-1'),
    tokenFor('user-2'),
  ]);
});

afterAll(async () => {
  await supergraph?.stop();
});

describe('1–2. an admin registers a ticket and it is priced', () => {
  it('registers an AVAILABLE ticket, then assigns the base price with the active policy discount', async () => {
    const result = await send(
      RegisterTicketDocument,
      { input: aTicket({ name: 'Opera night', basePrice: 120_000 }) },
      admin,
    );
    expect(result.errors).toBeUndefined();
    const ticket = result.data!.registerTicket;
    expect(ticket).toMatchObject({ name: 'Opera night', status: 'AVAILABLE' });

    const price = await eventually(async () => {
      const found = await priceOf(ticket.id);
      expect(found).not.toBeNull();
      return found;
    });
    expect(price).toEqual({
      ticketId: ticket.id,
      basePrice: 120_000,
      policyDiscount: 12_000,
      vipDiscount: 0,
      finalPrice: 108_000,
      currency: 'KRW',
    });
  });

  it('lets only an ADMIN register tickets', async () => {
    const asUser = await send(RegisterTicketDocument, { input: aTicket() }, normal);
    expect(errorCodes(asUser)).toEqual(['FORBIDDEN']);
    const anonymous = await send(RegisterTicketDocument, { input: aTicket() });
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('3–5. a user reserves a ticket', () => {
  it('reserves an AVAILABLE ticket, which becomes RESERVED', async () => {
    const ticketId = await registerTicket();
    const result = await send(ReserveTicketDocument, { ticketId }, normal);
    expect(result.errors).toBeUndefined();
    expect(result.data!.reserveTicket).toMatchObject({
      userId: 'user-1',
      userGrade: 'NORMAL',
      status: 'CONFIRMED',
      cancelledAt: null,
      ticket: { id: ticketId, status: 'RESERVED' },
    });
  });

  it('refuses a ticket that is already reserved with TICKET_NOT_AVAILABLE', async () => {
    const ticketId = await registerTicket();
    await send(ReserveTicketDocument, { ticketId }, normal);
    const second = await send(ReserveTicketDocument, { ticketId }, otherUser);
    expect(errorCodes(second)).toEqual(['TICKET_NOT_AVAILABLE']);
  });

  it('refuses an expired ticket with TICKET_EXPIRED', async () => {
    // Registration refuses a ticket already expired: it gets a short window, and the test waits
    // until the ticket reads EXPIRED.
    const ticketId = await registerTicket({
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      expiresAt: new Date(Date.now() + 2_000).toISOString(),
    });
    await eventually(async () =>
      expect((await send(TicketDocument, { id: ticketId })).data!.ticket!.status).toBe('EXPIRED'),
    );
    const result = await send(ReserveTicketDocument, { ticketId }, normal);
    expect(errorCodes(result)).toEqual(['TICKET_EXPIRED']);
    expect((await send(TicketDocument, { id: ticketId })).data!.ticket!.status).toBe('EXPIRED');
  });

  it('refuses an unknown ticket with TICKET_NOT_FOUND', async () => {
    const result = await send(ReserveTicketDocument, { ticketId: '00000000-0000-4000-8000-00000000dead' }, normal);
    expect(errorCodes(result)).toEqual(['TICKET_NOT_FOUND']);
  });

  it('applies the VIP discount when a VIP reserves, taking the grade from the token', async () => {
    const ticketId = await registerTicket({ basePrice: 100_000 });
    await eventually(async () => expect(await priceOf(ticketId)).not.toBeNull());
    const result = await send(ReserveTicketDocument, { ticketId }, vip);
    expect(result.data!.reserveTicket.userGrade).toBe('VIP');
    await eventually(async () =>
      expect(await priceOf(ticketId)).toMatchObject({ policyDiscount: 10_000, vipDiscount: 9_000, finalPrice: 81_000 }),
    );
  });

  it('needs a token to reserve', async () => {
    const ticketId = await registerTicket();
    expect(errorCodes(await send(ReserveTicketDocument, { ticketId }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('6. a user cancels a reservation (the saga compensates)', () => {
  it('cancels, then the ticket is AVAILABLE again and the VIP discount is reverted', async () => {
    const ticketId = await registerTicket({ basePrice: 50_000 });
    const reserved = await send(ReserveTicketDocument, { ticketId }, vip);
    const reservationId = reserved.data!.reserveTicket.id;
    await eventually(async () => expect((await priceOf(ticketId))?.vipDiscount).toBeGreaterThan(0));

    const cancelled = await send(CancelReservationDocument, { id: reservationId }, vip);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelReservation).toMatchObject({ id: reservationId, status: 'CANCELLED' });
    expect(cancelled.data!.cancelReservation.cancelledAt).toEqual(expect.any(String));

    await eventually(async () => {
      const ticket = (await send(TicketDocument, { id: ticketId })).data!.ticket!;
      expect(ticket.status).toBe('AVAILABLE');
      expect(ticket.price).toMatchObject({ vipDiscount: 0, finalPrice: 45_000 });
    });
    // Released, so another user can now reserve it.
    expect((await send(ReserveTicketDocument, { ticketId }, otherUser)).errors).toBeUndefined();
  });

  it('lets an ADMIN cancel anyone’s reservation, but not another user', async () => {
    const ticketId = await registerTicket();
    const reservationId = (await send(ReserveTicketDocument, { ticketId }, normal)).data!.reserveTicket.id;
    expect(errorCodes(await send(CancelReservationDocument, { id: reservationId }, otherUser))).toEqual(['FORBIDDEN']);
    expect((await send(CancelReservationDocument, { id: reservationId }, admin)).data!.cancelReservation.status).toBe(
      'CANCELLED',
    );
  });

  it('refuses to cancel twice, and an unknown reservation', async () => {
    const ticketId = await registerTicket();
    const reservationId = (await send(ReserveTicketDocument, { ticketId }, normal)).data!.reserveTicket.id;
    await send(CancelReservationDocument, { id: reservationId }, normal);
    expect(errorCodes(await send(CancelReservationDocument, { id: reservationId }, normal))).toEqual([
      'RESERVATION_ALREADY_CANCELLED',
    ]);
    expect(
      errorCodes(await send(CancelReservationDocument, { id: '00000000-0000-4000-8000-00000000beef' }, normal)),
    ).toEqual(['RESERVATION_NOT_FOUND']);
  });

  it('cancels while price is down; price catches up when it is back', async () => {
    const ticketId = await registerTicket({ basePrice: 80_000 });
    const reservationId = (await send(ReserveTicketDocument, { ticketId }, vip)).data!.reserveTicket.id;
    await eventually(async () => expect((await priceOf(ticketId))?.vipDiscount).toBe(7_200));

    await supergraph.stopSubgraph('price');
    try {
      const cancelled = await send(CancelReservationDocument, { id: reservationId }, vip);
      expect(cancelled.errors).toBeUndefined();
      expect(cancelled.data!.cancelReservation.status).toBe('CANCELLED');
      await eventually(async () =>
        expect((await send(TicketDocument, { id: ticketId })).data!.ticket!.status).toBe('AVAILABLE'),
      );
    } finally {
      await supergraph.startSubgraph('price');
    }
    await eventually(async () => expect(await priceOf(ticketId)).toMatchObject({ vipDiscount: 0, finalPrice: 72_000 }));
  });
});

describe('7. admins and users look up tickets, reservations and prices', () => {
  it('lets anyone list tickets, filtered by status, page by page', async () => {
    const ids = [await registerTicket(), await registerTicket(), await registerTicket()];
    await send(ReserveTicketDocument, { ticketId: ids[0]! }, normal);

    const firstPage = await send(TicketsDocument, { first: 2 });
    expect(firstPage.data!.tickets.edges).toHaveLength(2);
    expect(firstPage.data!.tickets.pageInfo.hasNextPage).toBe(true);
    const nextPage = await send(TicketsDocument, { first: 2, after: firstPage.data!.tickets.pageInfo.endCursor });
    const pageIds = [...firstPage.data!.tickets.edges, ...nextPage.data!.tickets.edges].map((e: any) => e.node.id);
    expect(new Set(pageIds).size).toBe(pageIds.length);

    const reserved = await send(TicketsDocument, { status: 'RESERVED', first: 100 });
    const nodes = reserved.data!.tickets.edges.map((e) => e.node);
    expect(nodes.map((n) => n.id)).toContain(ids[0]);
    expect(nodes.map((n) => n.id)).not.toContain(ids[1]);
    expect(new Set(nodes.map((n) => n.status))).toEqual(new Set(['RESERVED']));
  });

  it('shows a user their own reservations with ticket and price joined by the gateway', async () => {
    const user = await tokenFor('lookup-user');
    const ticketId = await registerTicket({ name: 'Lookup show' });
    await eventually(async () => expect(await priceOf(ticketId)).not.toBeNull());
    const reservationId = (await send(ReserveTicketDocument, { ticketId }, user)).data!.reserveTicket.id;

    const mine = await send(MyReservationsDocument, {}, user);
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.myReservations.edges).toEqual([
      expect.objectContaining({
        node: expect.objectContaining({
          id: reservationId,
          ticket: expect.objectContaining({
            name: 'Lookup show',
            status: 'RESERVED',
            price: expect.objectContaining({ finalPrice: 90_000 }),
          }),
        }),
      }),
    ]);
    expect(
      (await send(MyReservationsDocument, {}, otherUser)).data!.myReservations.edges.map((e: any) => e.node.id),
    ).not.toContain(reservationId);
  });

  it('shows a reservation to its owner and ADMINs only', async () => {
    const ticketId = await registerTicket();
    const reservationId = (await send(ReserveTicketDocument, { ticketId }, normal)).data!.reserveTicket.id;
    expect((await send(ReservationDocument, { id: reservationId }, normal)).data!.reservation!.ticket.id).toBe(
      ticketId,
    );
    expect((await send(ReservationDocument, { id: reservationId }, admin)).data!.reservation!.id).toBe(reservationId);
    expect(errorCodes(await send(ReservationDocument, { id: reservationId }, otherUser))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await send(ReservationDocument, { id: reservationId }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await send(MyReservationsDocument, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('lists price policies to anyone, the default one active', async () => {
    const result = await send(PricePoliciesDocument);
    expect(result.data!.pricePolicies).toContainEqual(
      expect.objectContaining({ name: 'standard', discountPercent: 10, vipDiscountPercent: 10, active: true }),
    );
  });
});

describe('identity at the gateway', () => {
  it.each([
    ['forged', forgedToken],
    ['expired', expiredToken],
  ])('refuses a %s token with UNAUTHENTICATED and HTTP 401, even for public reads', async (_, makeToken) => {
    const result = await send(TicketsDocument, {}, await makeToken());
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('does not expose the internal hold through the gateway', async () => {
    const ticketId = await registerTicket();
    const result = await send(HoldTicketDocument, { ticketId, reservationId: randomUUID() }, admin);
    expect(errorCodes(result)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('returns the correlation id it was given', async () => {
    const result = await graphql(supergraph.gatewayUrl, TicketsDocument, {
      headers: { 'x-correlation-id': 'test-corr-42' },
    });
    expect(result.headers.get('x-correlation-id')).toBe('test-corr-42');
  });
});

describe('operations endpoints', () => {
  it('serves /health/live, /health/ready and Prometheus /metrics on every process', async () => {
    const bases = [supergraph.gatewayUrl, ...Object.values(supergraph.subgraphUrls)].map((url) =>
      url.replace('/graphql', ''),
    );
    for (const base of bases) {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(await metrics.text()).toContain('process_cpu_seconds_total');
    }
    expect(await (await fetch(supergraph.subgraphUrls.price.replace('/graphql', '/metrics'))).text()).toContain(
      'events_consumed_total',
    );
  });
});

describe('correlation', () => {
  it('carries the correlation id of the request that started a saga into every event it causes, in every service', async () => {
    const ticketId = await registerTicket();
    await eventually(async () => expect(await priceOf(ticketId)).not.toBeNull());
    const reserveId = `reserve-${ticketId}`;
    const cancelId = `cancel-${ticketId}`;
    const reserved = await graphql(supergraph.gatewayUrl, ReserveTicketDocument, {
      variables: { ticketId },
      token: vip,
      headers: { 'x-correlation-id': reserveId },
    });
    const reservationId = reserved.data!.reserveTicket.id;
    await eventually(async () => expect((await priceOf(ticketId))?.vipDiscount).toBeGreaterThan(0));
    await graphql(supergraph.gatewayUrl, CancelReservationDocument, {
      variables: { id: reservationId },
      token: vip,
      headers: { 'x-correlation-id': cancelId },
    });

    const typesOf = async (correlationId: string) =>
      (await supergraph.stream.events())
        .filter((e) => e.correlationId === correlationId)
        .map((e) => e.type)
        .sort();
    await eventually(async () => {
      expect(await typesOf(reserveId)).toEqual(['TicketHeld', 'TicketReserved', 'VipDiscountApplied']);
      expect(await typesOf(cancelId)).toEqual(['ReservationCancelled', 'TicketReleased', 'VipDiscountReverted']);
    });
  });
});
