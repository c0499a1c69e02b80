/**
 * The gateway's protection at the edge, against the real gateway and subgraphs: every limit
 * refuses a hostile request with a 4xx and a code of its own, and lets ordinary traffic through.
 * Limits that ordinary operations of this API cannot reach are tested on gateways of their own
 * with that one limit lowered; everything else runs against the defaults.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, graphql, graphqlText, operationText } from '../../operations/client.ts';
import {
  MyReservationsDocument,
  PricePoliciesDocument,
  RegisterTicketDocument,
  TicketsDocument,
} from '../../operations/documents.generated.ts';
import { aTicket } from '../support/builders.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';

const POLICIES = operationText(PricePoliciesDocument);
/** Depth 4: tickets → edges → node → id. */
const TICKET_IDS = '{ tickets(first: 1) { edges { node { id } } } }';

let supergraph: TestSupergraph;

/** A gateway of the test's own on the same subgraphs, with `env` on top of the test defaults. */
async function gatewayWith(env: Record<string, string>): Promise<string> {
  return (await supergraph.startGateway(env)).url;
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
});

afterAll(async () => {
  await supergraph?.stop();
});

describe('limits on the document, at their defaults', () => {
  it('lets the operations of this API through, the deepest and widest included', async () => {
    const admin = await adminToken();
    const registered = await graphql(supergraph.gatewayUrl, RegisterTicketDocument, {
      variables: { input: aTicket() },
      token: admin,
    });
    expect(registered.errors).toBeUndefined();
    const deepest = `{ myReservations { edges { node { ticket { price { policy { name } } } } } } }`;
    const fifteenAliases = `{ ${Array.from({ length: 15 }, (_, i) => `p${i}: pricePolicies { id }`).join(' ')} }`;
    for (const [query, token] of [
      [operationText(TicketsDocument), undefined],
      [operationText(MyReservationsDocument), await tokenFor('edge-reader')],
      [deepest, await tokenFor('edge-reader')],
      [fifteenAliases, undefined],
    ] as const) {
      const result = await graphqlText(supergraph.gatewayUrl, query, { token });
      expect({ status: result.status, errors: result.errors }).toEqual({ status: 200, errors: undefined });
    }
  });

  it('refuses more than 15 aliases with 400 TOO_MANY_ALIASES', async () => {
    const query = `{ ${Array.from({ length: 16 }, (_, i) => `p${i}: pricePolicies { id }`).join(' ')} }`;
    const result = await graphqlText(supergraph.gatewayUrl, query);
    expect(result.status).toBe(400);
    expect(errorCodes(result)).toEqual(['TOO_MANY_ALIASES']);
  });

  it('refuses more than 20 directives with 400 TOO_MANY_DIRECTIVES', async () => {
    const fragments = Array.from({ length: 21 }, () => '... on PricePolicy @include(if: true) { id }').join(' ');
    const result = await graphqlText(supergraph.gatewayUrl, `{ pricePolicies { ${fragments} } }`);
    expect(result.status).toBe(400);
    expect(errorCodes(result)).toEqual(['TOO_MANY_DIRECTIVES']);
  });

  it('refuses a document of more than 1000 tokens with 400 TOO_MANY_TOKENS, before parsing it all', async () => {
    const result = await graphqlText(supergraph.gatewayUrl, `{ pricePolicies { ${'id '.repeat(1000)} } }`);
    expect(result.status).toBe(400);
    expect(errorCodes(result)).toEqual(['TOO_MANY_TOKENS']);
  });

  it('refuses a body larger than 100 KiB with 413 REQUEST_TOO_LARGE', async () => {
    const padding = ' '.repeat(100 * 1024);
    const result = await post(supergraph.gatewayUrl, JSON.stringify({ query: `${POLICIES}${padding}` }));
    expect(result.status).toBe(413);
    expect(result.body.errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
  });
});

describe('limits that ordinary operations cannot reach, lowered to show them', () => {
  it('depth: refuses a query deeper than MAX_DEPTH with 400 QUERY_TOO_DEEP, and answers one at the limit', async () => {
    const url = await gatewayWith({ MAX_DEPTH: '3' });
    const refused = await graphqlText(url, TICKET_IDS);
    expect(refused.status).toBe(400);
    expect(errorCodes(refused)).toEqual(['QUERY_TOO_DEEP']);
    const answered = await graphqlText(url, '{ tickets(first: 1) { pageInfo { hasNextPage } } }');
    expect(answered.errors).toBeUndefined();
  });

  it('cost: refuses a query costlier than MAX_COST with 400 QUERY_TOO_COMPLEX, and answers a cheaper one', async () => {
    const url = await gatewayWith({ MAX_COST: '20' });
    const refused = await graphql(url, TicketsDocument);
    expect(refused.status).toBe(400);
    expect(errorCodes(refused)).toEqual(['QUERY_TOO_COMPLEX']);
    const answered = await graphql(url, PricePoliciesDocument);
    expect(answered.errors).toBeUndefined();
  });
});

describe('rate limit per caller', () => {
  it('answers a burst, then refuses the caller with 429 RATE_LIMITED and when to retry; others are untouched', async () => {
    const url = await gatewayWith({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' });
    const [greedy, patient] = await Promise.all([tokenFor('greedy'), tokenFor('patient')]);
    const burst = [];
    for (let i = 0; i < 4; i++) burst.push(await graphql(url, PricePoliciesDocument, { token: greedy }));

    expect(burst.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    const refused = burst[3]!;
    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
    expect(refused.errors![0]!.extensions!.retryAfterSeconds).toBe(1);
    expect(refused.headers.get('retry-after')).toBe('1');
    const other = await graphql(url, PricePoliciesDocument, { token: patient });
    expect(other.status).toBe(200);
  });

  it('limits anonymous callers by their address', async () => {
    const url = await gatewayWith({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await graphql(url, PricePoliciesDocument)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('at its defaults, lets a client send hundreds of requests at once', async () => {
    const token = await tokenFor('busy-client');
    const results = await Promise.all(
      Array.from({ length: 300 }, () => graphql(supergraph.gatewayUrl, PricePoliciesDocument, { token })),
    );
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
  });
});

describe('browsers', () => {
  it('keeps CSRF prevention on: a simple cross-site request without a preflight header is refused', async () => {
    const response = await fetch(supergraph.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: POLICIES }),
    });
    expect(response.status).toBe(400);
    const viaGet = await fetch(`${supergraph.gatewayUrl}?query=${encodeURIComponent(POLICIES)}`);
    expect(viaGet.status).toBe(400);
  });

  it('allows Apollo Sandbox by CORS in development, and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(supergraph.gatewayUrl, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      });
    const sandbox = await preflight('https://sandbox.embed.apollographql.com');
    expect(sandbox.status).toBe(204);
    expect(sandbox.headers.get('access-control-allow-origin')).toBe('https://sandbox.embed.apollographql.com');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('introspection and the Sandbox landing page', () => {
  const INTROSPECTION = '{ __schema { queryType { name } } }';
  const landingPage = (url: string) => fetch(url.replace('/graphql', '/'), { headers: { accept: 'text/html' } });

  it('are on in development', async () => {
    const result = await graphqlText(supergraph.gatewayUrl, INTROSPECTION);
    expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const page = await landingPage(supergraph.gatewayUrl);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('are off in production, where field suggestions are masked too', async () => {
    const url = await gatewayWith({
      NODE_ENV: 'production',
      JWT_SECRET: 'production-like-secret-for-this-test-0123456789',
      SERVICE_TOKEN_SECRET: 'production-like-service-secret-for-this-test-0123',
    });
    const introspection = await graphqlText(url, INTROSPECTION);
    expect(introspection.status).toBe(400);
    expect(errorCodes(introspection)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const page = await landingPage(url);
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
    const typo = await graphqlText(url, '{ pricePolicie { id } }');
    expect(typo.errors![0]!.message).not.toContain('Did you mean');
  });
});

describe('automatic persisted queries', () => {
  it('asks for an unknown hash, then answers it by hash alone once registered', async () => {
    const sha256Hash = createHash('sha256').update(POLICIES).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };

    const unknown = await post(supergraph.gatewayUrl, JSON.stringify({ extensions }));
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(supergraph.gatewayUrl, JSON.stringify({ query: POLICIES, extensions }));
    expect(registered.body.errors).toBeUndefined();
    const byHash = await post(supergraph.gatewayUrl, JSON.stringify({ extensions }));
    expect(byHash.status).toBe(200);
    expect(byHash.body).toEqual(registered.body);
  });
});
