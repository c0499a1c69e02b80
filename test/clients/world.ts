/**
 * What the client suites read: a supergraph with tickets registered and reserved through the
 * API, and the order every connection must come out in, as the API lists it in one page.
 */
import { gql } from 'graphql-tag';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from '../../operations/client.ts';
import { aTicket } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';

export interface ClientWorld {
  supergraph: TestSupergraph;
  tokens: { admin: string; owner: string; otherUser: string };
  /** Every connection's items, each in the connection's order (tickets and boards by id). */
  expected: { tickets: string[]; myReservations: string[]; ticketBoard: string[]; reservationBoard: string[] };
  /** A ticket nobody reserved, for the mutations. */
  freeTicketId: string;
}

const TICKETS = 7;
const RESERVED = 5;

const ids = <T>(document: string): TypedDocumentNode<T, Record<string, never>> => gql(document);
const allTickets = ids<{ tickets: { edges: { node: { id: string } }[] } }>(
  'query { tickets(first: 100) { edges { node { id } } } }',
);
const allMyReservations = ids<{ myReservations: { edges: { node: { id: string } }[] } }>(
  'query { myReservations(first: 100) { edges { node { id } } } }',
);
const allTicketBoard = ids<{ ticketBoard: { edges: { node: { ticketId: string } }[] } }>(
  'query { ticketBoard(first: 100) { edges { node { ticketId } } } }',
);
const allReservationBoard = ids<{ reservationBoard: { edges: { node: { reservationId: string } }[] } }>(
  'query { reservationBoard(first: 100) { edges { node { reservationId } } } }',
);
const register = gql`
  mutation ($input: RegisterTicketInput!) {
    registerTicket(input: $input) {
      id
    }
  }
` as TypedDocumentNode<{ registerTicket: { id: string } }, { input: ReturnType<typeof aTicket> }>;
const reserve = gql`
  mutation ($ticketId: ID!) {
    reserveTicket(ticketId: $ticketId) {
      id
    }
  }
` as TypedDocumentNode<{ reserveTicket: { id: string } }, { ticketId: string }>;

export async function startClientWorld(owner: string): Promise<ClientWorld> {
  const supergraph = await startTestSupergraph();
  const tokens = {
    admin: await adminToken(),
    owner: await tokenFor(owner, { grade: 'VIP' }),
    otherUser: await tokenFor(`${owner}-other`),
  };
  const url = supergraph.gatewayUrl;
  const registered: string[] = [];
  for (let i = 0; i < TICKETS; i++) {
    const result = await graphql(url, register, { variables: { input: aTicket() }, token: tokens.admin });
    registered.push(result.data!.registerTicket.id);
  }
  for (const ticketId of registered.slice(0, RESERVED)) {
    const result = await graphql(url, reserve, { variables: { ticketId }, token: tokens.owner });
    if (!result.data) throw new Error(`could not reserve: ${JSON.stringify(result.errors)}`);
  }
  const read = async <T>(document: TypedDocumentNode<T, Record<string, never>>, token?: string) => {
    const result = await graphql(url, document, { token });
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data;
  };
  const tickets = (await read(allTickets)).tickets.edges.map((e) => e.node.id);
  const myReservations = (await read(allMyReservations, tokens.owner)).myReservations.edges.map((e) => e.node.id);
  // The boards come from events: wait until the view has every ticket and reservation.
  const ticketBoard = await eventually(async () => {
    const board = (await read(allTicketBoard)).ticketBoard.edges.map((e) => e.node.ticketId);
    if (board.length < TICKETS) throw new Error(`the ticket board has ${board.length} of ${TICKETS} tickets`);
    return board;
  });
  const reservationBoard = await eventually(async () => {
    const board = (await read(allReservationBoard, tokens.owner)).reservationBoard.edges.map(
      (e) => e.node.reservationId,
    );
    if (board.length < RESERVED) throw new Error(`the reservation board has ${board.length} of ${RESERVED}`);
    return board;
  });
  return {
    supergraph,
    tokens,
    expected: { tickets, myReservations, ticketBoard, reservationBoard },
    freeTicketId: registered.at(-1)!,
  };
}

/** Codes of a GraphQL response's errors, in order. */
export function codesOf(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): unknown[] {
  return (errors ?? []).map((error) => error.extensions?.code);
}
