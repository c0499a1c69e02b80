/**
 * The CQRS boards end to end through the gateway: docs/architecture.md §3's scenario (register → price → VIP
 * reserve → cancel) as the view subgraph shows it, built from the saga's real events; who may read
 * which board; and a view replica started afterwards serving exactly the live view's boards.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { errorCodes, graphql } from '../../operations/client.ts';
import {
  CancelReservationDocument,
  MyReservationsDocument,
  RegisterTicketDocument,
  ReservationBoardDocument,
  ReserveTicketDocument,
  TicketBoardDocument,
} from '../../operations/documents.generated.ts';
import { aTicket } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';

let supergraph: TestSupergraph;
let admin: string;
let vip: string;
let other: string;

const send = <TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  token?: string,
) => graphql(supergraph.gatewayUrl, document, { variables, token });

async function ticketOnBoard(ticketId: string) {
  const result = await send(TicketBoardDocument, { first: 100 });
  expect(result.errors).toBeUndefined();
  return result.data!.ticketBoard.edges.map((e: any) => e.node).find((n: any) => n.ticketId === ticketId);
}

async function reservationsOnBoard(token: string, userId?: string) {
  const result = await send(ReservationBoardDocument, { userId }, token);
  expect(result.errors).toBeUndefined();
  return result.data!.reservationBoard.edges.map((e: any) => e.node);
}

async function readinessOf(url: string): Promise<Record<string, any>> {
  return (await fetch(url.replace('/graphql', '/health/ready'))).json() as Promise<Record<string, any>>;
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  [admin, vip, other] = await Promise.all([
    adminToken(),
    tokenFor('vip-board', { grade: 'VIP' }),
    tokenFor('other-board'),
  ]);
});

afterAll(async () => {
  await supergraph?.stop();
});

describe('the boards through the gateway', () => {
  it('follow the seed scenario: registered and priced, reserved by a VIP with the discount, then cancelled', async () => {
    const registered = await send(
      RegisterTicketDocument,
      { input: aTicket({ name: 'Board night', basePrice: 100_000 }) },
      admin,
    );
    const ticketId = registered.data!.registerTicket.id;

    const listed = await eventually(async () => {
      const entry = await ticketOnBoard(ticketId);
      expect(entry).toMatchObject({
        name: 'Board night',
        status: 'AVAILABLE',
        currency: 'KRW',
        basePrice: 100_000,
        policyDiscount: 10_000,
        vipDiscount: 0,
        finalPrice: 90_000,
      });
      return entry;
    });

    const reserved = await send(ReserveTicketDocument, { ticketId }, vip);
    const reservationId = reserved.data!.reserveTicket.id;
    await eventually(async () =>
      expect(await ticketOnBoard(ticketId)).toMatchObject({
        status: 'RESERVED',
        vipDiscount: 9_000,
        finalPrice: 81_000,
      }),
    );
    const confirmed = await eventually(async () => {
      const [entry] = await reservationsOnBoard(vip);
      expect(entry).toEqual({
        reservationId,
        ticketId,
        ticketName: 'Board night',
        userId: 'vip-board',
        userGrade: 'VIP',
        status: 'CONFIRMED',
        reservedAt: reserved.data!.reserveTicket.reservedAt,
        cancelledAt: null,
        currency: 'KRW',
        finalPrice: 81_000,
        vipDiscount: 9_000,
        updatedAt: expect.any(String),
      });
      return entry;
    });
    // The federated join answers the same about what this user pays.
    const federated = await send(MyReservationsDocument, {}, vip);
    expect(federated.data!.myReservations.edges[0]!.node.ticket.price).toMatchObject({
      finalPrice: 81_000,
      vipDiscount: 9_000,
    });

    const cancelled = await send(CancelReservationDocument, { id: reservationId }, vip);
    expect(cancelled.errors).toBeUndefined();
    await eventually(async () => {
      expect(await reservationsOnBoard(vip)).toEqual([
        expect.objectContaining({
          reservationId,
          status: 'CANCELLED',
          cancelledAt: cancelled.data!.cancelReservation.cancelledAt,
          finalPrice: 90_000,
          vipDiscount: 0,
        }),
      ]);
      expect(await ticketOnBoard(ticketId)).toMatchObject({ status: 'AVAILABLE', vipDiscount: 0, finalPrice: 90_000 });
    });
    const [after] = await reservationsOnBoard(vip);
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(confirmed.updatedAt));
    expect(Date.parse((await ticketOnBoard(ticketId)).updatedAt)).toBeGreaterThan(Date.parse(listed.updatedAt));
  });

  it('let anonymous callers read the ticket board only, users their own reservation board, an ADMIN anyone’s', async () => {
    expect((await send(TicketBoardDocument, { first: 1 })).errors).toBeUndefined();
    expect(errorCodes(await send(ReservationBoardDocument, {}))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await send(ReservationBoardDocument, { userId: 'vip-board' }, other))).toEqual(['FORBIDDEN']);
    expect(await reservationsOnBoard(other)).toEqual([]);
    expect(await reservationsOnBoard(admin, 'vip-board')).toEqual(await reservationsOnBoard(vip));
    const badPage = await send(TicketBoardDocument, { first: 0 });
    expect(badPage.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('serve exactly the same boards from a view replica that built its own store from the stream afterwards', async () => {
    const replica = await supergraph.startViewReplica();
    const live = supergraph.subgraphUrls.view;
    const head = (await readinessOf(live)).streamLastSequence;
    for (const url of [live, replica.url]) {
      await eventually(async () => expect(await readinessOf(url)).toMatchObject({ lastAppliedSequence: head, lag: 0 }));
    }
    const boardsOf = async (url: string) => ({
      tickets: (await graphql(url, TicketBoardDocument, { variables: { first: 100 } })).data,
      vip: (await graphql(url, ReservationBoardDocument, { variables: { userId: 'vip-board' }, token: admin })).data,
    });
    const fromReplica = await boardsOf(replica.url);
    expect(fromReplica.tickets!.ticketBoard.edges.length).toBeGreaterThan(0);
    expect(fromReplica).toEqual(await boardsOf(live));
  });
});
