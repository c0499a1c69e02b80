/**
 * Every bad input gets BAD_USER_INPUT naming the field, nothing is half-written, and no stack
 * trace or SQL reaches the client.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTicket } from '../support/builders.ts';
import { graphql, type GraphQLResult } from '../support/graphql-client.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';
import {
  CANCEL_RESERVATION,
  MY_RESERVATIONS,
  PRICE,
  REGISTER_TICKET,
  RESERVATION,
  RESERVE_TICKET,
  SET_PRICE_POLICY,
  TICKET,
  TICKETS,
} from './operations.ts';

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
    const before = await graphql(supergraph.gatewayUrl, TICKETS, { variables: { first: 100 } });
    expectBadInput(
      await graphql(supergraph.gatewayUrl, REGISTER_TICKET, { variables: { input: aTicket(overrides) }, token: admin }),
      field,
    );
    const after = await graphql(supergraph.gatewayUrl, TICKETS, { variables: { first: 100 } });
    expect(after.data!.tickets.edges).toHaveLength(before.data!.tickets.edges.length);
  });

  it('refuses an unparseable date written as a literal, naming the field', async () => {
    const result = await graphql(
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

describe('ids, cursors and page sizes', () => {
  it.each([
    ['ticket', TICKET, { id: 'not-an-id' }, 'id', undefined],
    ['price', PRICE, { ticketId: '42' }, 'ticketId', undefined],
    ['reserveTicket', RESERVE_TICKET, { ticketId: 'DROP TABLE ticket' }, 'ticketId', 'user'],
    ['cancelReservation', CANCEL_RESERVATION, { id: 'x' }, 'id', 'user'],
    ['reservation', RESERVATION, { id: '123' }, 'id', 'user'],
    ['tickets (first)', TICKETS, { first: 0 }, 'first', undefined],
    ['tickets (first too large)', TICKETS, { first: 1000 }, 'first', undefined],
    ['tickets (after)', TICKETS, { after: 'bm90IGEgY3Vyc29y' }, 'after', undefined],
    ['myReservations (first)', MY_RESERVATIONS, { first: -5 }, 'first', 'user'],
  ])('%s refuses a malformed argument', async (_, query, variables, field, as) => {
    expectBadInput(await graphql(supergraph.gatewayUrl, query, { variables, token: as ? user : undefined }), field);
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
      await graphql(supergraph.gatewayUrl, SET_PRICE_POLICY, { variables: { input }, token: admin }),
      field,
    );
  });

  it('is for ADMINs only', async () => {
    const result = await graphql(supergraph.gatewayUrl, SET_PRICE_POLICY, {
      variables: { input: { name: 'sneaky', discountPercent: 90, vipDiscountPercent: 90 } },
      token: user,
    });
    expect(result.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

describe('malformed requests', () => {
  it('answers a syntax error with GRAPHQL_PARSE_FAILED', async () => {
    const result = await graphql(supergraph.gatewayUrl, '{ tickets { edges { node { id } }');
    expect(result.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expectNothingInternal(result);
  });

  it('answers an unknown field with GRAPHQL_VALIDATION_FAILED', async () => {
    const result = await graphql(supergraph.gatewayUrl, '{ tickets { edges { node { secret } } } }');
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
