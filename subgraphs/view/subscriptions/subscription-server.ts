/**
 * The view's subscriptions over GraphQL over WebSocket, for the gateway (internal; clients reach
 * them through the gateway). The gateway multiplexes its subscribers' subscriptions on a few
 * connections, so each subscribe message carries its own caller in `extensions.authorization`
 * (verified here, as every subgraph verifies a request's token), and, when the gateway resumes
 * one, the position to resume after in `extensions.after`. Every event goes out with its stream
 * position and when it occurred in the result's `extensions` (`position`, `occurredAt`).
 */
import { randomUUID } from 'node:crypto';
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { TokenVerifier } from '../../../platform/auth/tokens.ts';
import { createErrorFormatter } from '../../../platform/graphql/errors.ts';
import { createGraphqlWsEndpoint, type GraphqlWsEndpoint } from '../../../platform/graphql/graphql-ws-endpoint.ts';
import type { Logger } from '../../../platform/logging.ts';
import { filterMap } from '../../../platform/streams/filter-map.ts';
import { isDomainError } from '../../../ticketing/errors.ts';
import type { AppliedPosition, ChangeSource, ViewDeps } from '../domain/ports.ts';
import type { Delivery } from '../domain/watch-changes.ts';
import { createViewContext, type ViewContext } from '../graphql/resolvers.ts';

export interface SubscriptionServerOptions {
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  deps: ViewDeps;
  changes: ChangeSource;
  applied: AppliedPosition;
  logger: Logger;
  keepAliveMs: number;
  onConnectionsChanged?: (open: number) => void;
}

export function createSubscriptionServer(options: SubscriptionServerOptions): GraphqlWsEndpoint {
  const { logger } = options;
  const formatError = createErrorFormatter(logger);
  const format = (error: GraphQLError): GraphQLFormattedError => formatError(error.toJSON(), error);

  async function contextOf(extensions: Record<string, unknown> | null | undefined): Promise<ViewContext> {
    const caller = await options.verifier.callerFrom(authorizationOf(extensions));
    const correlationId = typeof extensions?.correlationId === 'string' ? extensions.correlationId : randomUUID();
    const after = extensions?.after;
    return createViewContext({ caller, correlationId }, options.deps, {
      changes: options.changes,
      applied: options.applied,
      resumeAfter: typeof after === 'number' ? after : undefined,
    });
  }

  /** Each delivery executed against its own value, with its position in the result's extensions. */
  async function subscribe(args: ExecutionArgs) {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const deliveries = (stream as AsyncIterable<Delivery<unknown>>)[Symbol.asyncIterator]();
    return filterMap(deliveries, async (delivery): Promise<ExecutionResult> => {
      const result = (await execute({ ...args, rootValue: delivery })) as ExecutionResult;
      return { ...result, extensions: { position: delivery.position, occurredAt: delivery.occurredAt } };
    });
  }

  return createGraphqlWsEndpoint(
    {
      schema: options.schema,
      context: async (_ctx, _id, payload) => contextOf(payload.extensions),
      onSubscribe: async (_ctx, _id, payload) => {
        try {
          await options.verifier.callerFrom(authorizationOf(payload.extensions));
        } catch (error) {
          if (isDomainError(error)) {
            return [new GraphQLError(error.message, { extensions: { code: error.code } })];
          }
          throw error;
        }
        return undefined;
      },
      subscribe,
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map(format) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map(format),
    },
    { keepAliveMs: options.keepAliveMs, onConnectionsChanged: options.onConnectionsChanged },
  );
}

function authorizationOf(extensions: Record<string, unknown> | null | undefined): string | undefined {
  return typeof extensions?.authorization === 'string' ? extensions.authorization : undefined;
}
