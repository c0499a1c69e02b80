/**
 * How the gateway calls a subgraph: the caller's `Authorization` header and the correlation id
 * forwarded (every subgraph verifies the token again), over keep-alive connections.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { GatewayContext } from './context.ts';

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /**
   * @param fetcher shared by every subgraph (one keep-alive pool per origin); it must be passed
   * here: an agent set per request in willSendRequest is ignored by @apollo/gateway.
   */
  constructor(url: string, fetcher: Fetcher) {
    super({ url, fetcher });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('correlationId' in context)) return; // the gateway's own health checks carry no request context
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    request.http?.headers.set('x-correlation-id', context.correlationId);
  }
}
