/**
 * Every bad input gets BAD_USER_INPUT naming the field, nothing is half-written, and no stack
 * trace or SQL reaches the client.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphql, graphqlText, operationText, type GraphQLResult } from '../../operations/client.ts';
import {
  CancelReservationDocument,
  MyReservationsDocument,
  NodeDocument,
  PriceDocument,
  RegisterTicketDocument,
  ReservationBoardDocument,
  ReservationDocument,
  ReserveTicketDocument,
  SetPricePolicyDocument,
  TicketBoardDocument,
  TicketDocument,
  TicketsDocument,
} from '../../operations/documents.generated.ts';
import { aTicket } from '../support/builders.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';

let supergraph: TestSupergraph;
let admin: string;
let user: string;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  [admin, user] = await Promise.all([adminToken(), tokenFor('input-user')]);
});

afterAll(async () => {
  await supergraph?.stop();
});

function expectBadInput(result: GraphQLResult<unknown>, field: string): void {
  expect(result.errors).toHaveLength(1);
  expect(result.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
  expectNothingInternal(result);
}

function expectNothingInternal(result: GraphQLResult<unknown>): void {
  const text = JSON.stringify(result.errors ?? []);
  expect(text).not.toMatch(/stacktrace|\bat \S+\.(ts|js):\d+|SELECT |INSERT |UPDATE |prisma|postgres/i);
}

describe('registerTicket', () => {
  it.each([
    ['an empty name', { name: '   ' }, 'input.name'],
    ['a negative price', { basePrice: -1 }, 'input.basePrice'],
    ['an unparseable start', { startsAt: 'next tuesday' }, 'input.startsAt'],
    ['an unparseable expiry', { expiresAt: '2026-13-45' }, 'input.expiresAt'],
    [
      'an expiry before the start',
      {
        startsAt: new Date(Date.now() + 7_200_000).toISOString(),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      'input.expiresAt',
    ],
    [
      'an expiry in the past',
      { startsAt: '2020-01-01T00:00:00Z', expiresAt: '2020-01-02T00:00:00Z' },
      'input.expiresAt',
    ],
    ['an unknown currency format', { currency: 'won' }, 'input.currency'],
  ])('refuses %s, naming the field, and registers nothing', async (_, overrides, field) => {
    const before = await graphql(supergraph.gatewayUrl, TicketsDocument, { variables: { first: 100 } });
    expectBadInput(
      await graphql(supergraph.gatewayUrl, RegisterTicketDocument, {
        variables: { input: aTicket(overrides) },
        token: admin,
      }),
      field,
    );
    const after = await graphql(supergraph.gatewayUrl, TicketsDocument, { variables: { first: 100 } });
    expect(after.data!.tickets.edges).toHaveLength(before.data!.tickets.edges.length);
  });

  it('refuses an unparseable date written as a literal, naming the field', async () => {
    const result = await graphqlText(
      supergraph.gatewayUrl,
      `
        mutation {
          registerTicket(input: { name: "x", startsAt: "soon", expiresAt: "2999-01-01T00:00:00Z", basePrice: 1 }) {
            id
          }
        }
      `,
      { token: admin },
    );
    expectBadInput(result, 'input.startsAt');
  });
});

/** A well-formed cursor, for the arguments refused only for the direction they page in. */
const CURSOR = Buffer.from(`${new Date().toISOString()}|00000000-0000-4000-8000-000000000000`).toString('base64url');

describe('ids, cursors and page sizes', () => {
  it.each([
    ['ticket', TicketDocument, { id: 'not-an-id' }, 'id', undefined],
    ['price', PriceDocument, { ticketId: '42' }, 'ticketId', undefined],
    ['reserveTicket', ReserveTicketDocument, { ticketId: 'DROP TABLE ticket' }, 'ticketId', 'user'],
    ['cancelReservation', CancelReservationDocument, { id: 'x' }, 'id', 'user'],
    ['reservation', ReservationDocument, { id: '123' }, 'id', 'user'],
    ['tickets (first)', TicketsDocument, { first: 0 }, 'first', undefined],
    ['tickets (first too large)', TicketsDocument, { first: 1000 }, 'first', undefined],
    ['tickets (after)', TicketsDocument, { after: 'bm90IGEgY3Vyc29y' }, 'after', undefined],
    ['myReservations (first)', MyReservationsDocument, { first: -5 }, 'first', 'user'],
    ['tickets (last)', TicketsDocument, { last: 101 }, 'last', undefined],
    ['tickets (before)', TicketsDocument, { last: 2, before: 'bm90IGEgY3Vyc29y' }, 'before', undefined],
    ['tickets (first with last)', TicketsDocument, { first: 2, last: 2 }, 'last', undefined],
    ['tickets (last with after)', TicketsDocument, { last: 2, after: CURSOR }, 'after', undefined],
    ['myReservations (first with before)', MyReservationsDocument, { first: 2, before: CURSOR }, 'before', 'user'],
    ['ticketBoard (last)', TicketBoardDocument, { last: 0 }, 'last', undefined],
    [
      'reservationBoard (after with before)',
      ReservationBoardDocument,
      { after: CURSOR, before: CURSOR },
      'before',
      'user',
    ],
    ['node', NodeDocument, { id: 'not-an-id' }, 'id', undefined],
  ])('%s refuses a malformed argument', async (_, document, variables, field, as) => {
    const token = as ? user : undefined;
    expectBadInput(await graphqlText(supergraph.gatewayUrl, operationText(document), { variables, token }), field);
  });
});

describe('setPricePolicy', () => {
  it.each([
    [{ name: '', discountPercent: 5, vipDiscountPercent: 5 }, 'input.name'],
    [{ name: 'too generous', discountPercent: 101, vipDiscountPercent: 5 }, 'input.discountPercent'],
    [{ name: 'negative', discountPercent: 5, vipDiscountPercent: -1 }, 'input.vipDiscountPercent'],
    [{ name: 'standard', discountPercent: 10, vipDiscountPercent: 10, active: false }, 'input.active'],
  ])('refuses %o', async (input, field) => {
    expectBadInput(
      await graphql(supergraph.gatewayUrl, SetPricePolicyDocument, { variables: { input }, token: admin }),
      field,
    );
  });

  it('is for ADMINs only', async () => {
    const result = await graphql(supergraph.gatewayUrl, SetPricePolicyDocument, {
      variables: { input: { name: 'sneaky', discountPercent: 90, vipDiscountPercent: 90 } },
      token: user,
    });
    expect(result.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

describe('malformed requests', () => {
  it('answers a syntax error with GRAPHQL_PARSE_FAILED', async () => {
    const result = await graphqlText(supergraph.gatewayUrl, '{ tickets { edges { node { id } }');
    expect(result.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expectNothingInternal(result);
  });

  it('answers an unknown field with GRAPHQL_VALIDATION_FAILED', async () => {
    const result = await graphqlText(supergraph.gatewayUrl, '{ tickets { edges { node { secret } } } }');
    expect(result.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers a body that is not JSON with BAD_REQUEST', async () => {
    const response = await fetch(supergraph.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as GraphQLResult<unknown>).errors![0]!.extensions!.code).toBe('BAD_REQUEST');
  });
});
