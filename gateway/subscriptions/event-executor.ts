/**
 * Completes one subscription event through the gateway's own executor, as a query would be:
 * the event the owning subgraph streamed stands in for the plan's primary fetch, then the plan's
 * `rest` fetches the other subgraphs' fields for it (`_entities`, with the subscriber's token),
 * and the result is shaped to the client's selection (aliases, `__typename`, nulls) by the same
 * code that shapes query results.
 */
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import type { FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Logger } from '../../platform/logging.ts';
import type { GatewayContext } from '../context.ts';
import type { SubscriptionPlan, SubscriptionPlanner } from './subscription-planner.ts';

/** The name the event's own source has in the plan executed for it (no subgraph has it). */
const EVENT_SOURCE = '__subscription_event__';

export interface EventRequest {
  variables: Record<string, unknown>;
  context: GatewayContext;
}

export type EventExecutor = (
  plan: SubscriptionPlan,
  event: FormattedExecutionResult,
  request: EventRequest,
) => Promise<FormattedExecutionResult>;

export function createEventExecutor(
  planner: SubscriptionPlanner,
  dataSources: Record<string, GraphQLDataSource>,
  logger: Logger,
  formatError: (formatted: GraphQLFormattedError, error: GraphQLError) => GraphQLFormattedError,
): EventExecutor {
  return async (plan, event, request) => {
    const primary = { ...plan.primary, serviceName: EVENT_SOURCE };
    const queryPlan: QueryPlan = {
      kind: 'QueryPlan',
      node: plan.rest ? { kind: 'Sequence', nodes: [primary, plan.rest] } : primary,
    };
    const eventSource: GraphQLDataSource = {
      process: async () => ({ data: event.data ?? undefined, errors: event.errors ? [...event.errors] : undefined }),
    };
    const serviceMap: ServiceMap = { ...dataSources, [EVENT_SOURCE]: eventSource };
    // What executeQueryPlan reads of a request: its variables, context, logger and metrics.
    const requestContext = {
      request: { variables: request.variables },
      context: request.context,
      logger,
      metrics: {},
    } as unknown as Parameters<typeof executeQueryPlan>[2];
    const { data, errors, extensions } = await executeQueryPlan(
      queryPlan,
      serviceMap,
      requestContext,
      plan.operationContext,
      planner.supergraphSchema,
      planner.apiFederationSchema,
    );
    return { data, errors: errors?.map((e) => formatError(e.toJSON(), e)), extensions };
  };
}
