import { describe, expect, it } from '@jest/globals';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context.ts';
import { SubgraphDataSource } from './subgraph-data-source.ts';

function answering(status: number, contentType: string, body: string) {
  const calls: { url: string; init: FetcherRequestInit }[] = [];
  const fetcher: Fetcher = async (url, init = {}) => {
    calls.push({ url, init });
    const headers = new Map([['content-type', contentType]]);
    return {
      url,
      status,
      statusText: status === 200 ? 'OK' : 'Unauthorized',
      ok: status >= 200 && status < 300,
      redirected: false,
      bodyUsed: false,
      headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null },
      json: async () => JSON.parse(body) as unknown,
      text: async () => body,
    } as unknown as FetcherResponse;
  };
  return { fetcher, calls };
}

const context: GatewayContext = {
  caller: { kind: 'anonymous' } as GatewayContext['caller'],
  authorization: 'Bearer t0ken',
  correlationId: 'corr-1',
};

function anOperation(): GraphQLDataSourceProcessOptions<GatewayContext> {
  return {
    request: { query: '{ _entities { __typename } }', variables: { a: 1 }, operationName: 'Op' },
    context,
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
}

describe('SubgraphDataSource', () => {
  it("posts the operation as JSON with the caller's token and correlation id, and answers with the body", async () => {
    const { fetcher, calls } = answering(200, 'application/json; charset=utf-8', '{"data":{"x":1}}');
    const response = await new SubgraphDataSource('http://ticket/graphql', fetcher).process(anOperation());
    expect(response.data).toEqual({ x: 1 });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('http://ticket/graphql');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer t0ken',
      'x-correlation-id': 'corr-1',
    });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({
      query: '{ _entities { __typename } }',
      variables: { a: 1 },
      operationName: 'Op',
    });
  });

  it('forwards nothing of a request without a request context (a health check)', async () => {
    const { fetcher, calls } = answering(200, 'application/json', '{"data":{}}');
    const options = { ...anOperation(), context: {} } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
    await new SubgraphDataSource('http://ticket/graphql', fetcher).process(options);
    expect(calls[0]!.init.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('reports an HTTP error status as Apollo does, 401 as UNAUTHENTICATED', async () => {
    const { fetcher } = answering(401, 'application/json', '{"errors":[{"message":"no"}]}');
    const error = await new SubgraphDataSource('http://ticket/graphql', fetcher).process(anOperation()).catch((e) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).message).toBe('401: Unauthorized');
    expect((error as GraphQLError).extensions).toEqual({
      code: 'UNAUTHENTICATED',
      response: {
        url: 'http://ticket/graphql',
        status: 401,
        statusText: 'Unauthorized',
        body: { errors: [{ message: 'no' }] },
      },
    });
  });

  it('refuses a body that is not a JSON object', async () => {
    const { fetcher } = answering(200, 'text/plain', 'hello');
    await expect(new SubgraphDataSource('http://ticket/graphql', fetcher).process(anOperation())).rejects.toThrow(
      'Expected JSON response body, but received: hello',
    );
  });
});
