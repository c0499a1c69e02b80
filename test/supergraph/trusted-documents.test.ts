/**
 * Trusted documents through the real gateway over HTTP, one gateway per mode on the same
 * subgraphs: what each mode serves and what it refuses, with which status and code (README:
 * Trusted documents). Ids are sent as Apollo Client's persisted-queries link sends them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  errorCodes,
  graphql,
  graphqlById,
  graphqlText,
  mustQuery,
  operationText,
  persistedQueryExtension,
  type GraphQLResult,
} from '../../operations/client.ts';
import {
  PricePoliciesDocument,
  RegisterTicketDocument,
  TicketsDocument,
} from '../../operations/documents.generated.ts';
import { aTicket } from '../support/builders.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken } from '../support/tokens.ts';

/** A valid document of this API that is not in the manifest. */
const NOT_TRUSTED = '{ tickets(first: 1) { edges { node { id name } } } }';

let supergraph: TestSupergraph;
const urls = { off: '', allow: '', require: '' };

/** Sends `body` as JSON, as a client would, and reads the GraphQL result. */
async function post(url: string, body: object): Promise<GraphQLResult<unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  urls.off = supergraph.gatewayUrl;
  urls.allow = (await supergraph.startGateway({ TRUSTED_DOCUMENTS: 'allow' })).url;
  urls.require = (await supergraph.startGateway({ TRUSTED_DOCUMENTS: 'require' })).url;
  await mustQuery(supergraph.gatewayUrl, RegisterTicketDocument, {
    token: await adminToken(),
    variables: { input: aTicket() },
  });
});

afterAll(async () => {
  await supergraph?.stop();
});

describe.each(['allow', 'require'] as const)('trusted documents, %s', (mode) => {
  it('serves an operation of the manifest by its id alone', async () => {
    const result = await graphqlById(urls[mode], TicketsDocument, { variables: { first: 5 } });
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data?.tickets.edges.length).toBeGreaterThan(0);
  });

  it("serves a mutation by id with the caller's token", async () => {
    const result = await graphqlById(urls[mode], RegisterTicketDocument, {
      token: await adminToken(),
      variables: { input: aTicket() },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.registerTicket.status).toBe('AVAILABLE');
  });

  it('serves it by id in a GET too, as Apollo Client does for hashed queries', async () => {
    const search = new URLSearchParams({
      operationName: 'PricePolicies',
      extensions: JSON.stringify(persistedQueryExtension(operationText(PricePoliciesDocument))),
    });
    const response = await fetch(`${urls[mode]}?${search}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
  });

  it('refuses an id outside the manifest with 404 PERSISTED_QUERY_NOT_FOUND', async () => {
    const result = await post(urls[mode], { extensions: persistedQueryExtension(NOT_TRUSTED) });
    expect(result.status).toBe(404);
    expect(errorCodes(result)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('never lets a client add a document by registering it (APQ), so its id stays unknown', async () => {
    const extensions = persistedQueryExtension(NOT_TRUSTED);
    await post(urls[mode], { query: NOT_TRUSTED, extensions });
    const byId = await post(urls[mode], { extensions });
    expect(byId.status).toBe(404);
    expect(errorCodes(byId)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });
});

describe('trusted documents, allow', () => {
  it('also executes full documents, trusted or not, and with an id outside the manifest', async () => {
    expect((await graphqlText(urls.allow, NOT_TRUSTED)).errors).toBeUndefined();
    expect((await graphql(urls.allow, TicketsDocument, { variables: { first: 1 } })).errors).toBeUndefined();
    const registering = await post(urls.allow, {
      query: NOT_TRUSTED,
      extensions: persistedQueryExtension(NOT_TRUSTED),
    });
    expect(registering.status).toBe(200);
    expect(registering.errors).toBeUndefined();
  });
});

describe('trusted documents, require', () => {
  it('refuses a free-form document with 400 PERSISTED_QUERY_REQUIRED, even the text of a trusted one', async () => {
    for (const result of [
      await graphqlText(urls.require, NOT_TRUSTED),
      await graphql(urls.require, TicketsDocument, { variables: { first: 1 } }),
    ]) {
      expect(result.status).toBe(400);
      expect(errorCodes(result)).toEqual(['PERSISTED_QUERY_REQUIRED']);
    }
  });

  it('refuses an unknown id sent with its document (APQ registration) with 404', async () => {
    const result = await post(urls.require, { query: NOT_TRUSTED, extensions: persistedQueryExtension(NOT_TRUSTED) });
    expect(result.status).toBe(404);
    expect(errorCodes(result)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('still checks the token and the rate limit before anything else', async () => {
    const result = await graphqlById(urls.require, TicketsDocument, { token: 'not-a-token' });
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('trusted documents, off (development)', () => {
  it('executes any document, as Apollo Sandbox sends them', async () => {
    expect((await graphqlText(urls.off, NOT_TRUSTED)).errors).toBeUndefined();
  });
});
