/**
 * Plans subscriptions with Apollo's query planner over the same supergraph the gateway runs.
 * @apollo/gateway plans but never executes them: a subscription's plan is a `SubscriptionNode`,
 * its `primary` fetch the part the owning subgraph streams (the root field with the fields it
 * owns, and the entity keys), its `rest` the fetches that complete each event from the other
 * subgraphs (a ticket's price from price, …), exactly as they would for a query.
 */
import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { buildOperationContext } from '@apollo/gateway';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import { print, type DocumentNode, type GraphQLSchema } from 'graphql';

type OperationContext = ReturnType<typeof buildOperationContext>;

export interface SubscriptionPlan {
  /** The root field subscribed to (for metrics and logs). */
  field: string;
  /** What the owning subgraph is asked to stream. */
  primary: FetchNode;
  /** What completes each event, from the other subgraphs; absent when the owner has it all. */
  rest?: PlanNode;
  operationContext: OperationContext;
}

export interface SubscriptionPlanner {
  /** The client-facing API, for validating documents. */
  apiSchema: GraphQLSchema;
  /** The supergraph as graphql-js has it (the executor reads types from it). */
  supergraphSchema: GraphQLSchema;
  apiFederationSchema: Schema;
  /** The subgraphs the supergraph names. */
  subgraphNames(): readonly string[];
  /** The URL the supergraph records for a subgraph. */
  subgraphUrl(name: string): string | undefined;
  /** Plans a validated subscription document. */
  plan(document: DocumentNode, operationName: string | undefined): SubscriptionPlan;
}

const CACHED_PLANS = 1000;

export function createSubscriptionPlanner(supergraphSdl: string): SubscriptionPlanner {
  const supergraph = Supergraph.build(supergraphSdl);
  const apiFederationSchema = supergraph.apiSchema();
  const apiSchema = apiFederationSchema.toGraphQLJSSchema();
  const planner = new QueryPlanner(supergraph);
  // Subscriptions are few and long-lived; a small map, emptied when full, bounds the memory.
  const cache = new Map<string, SubscriptionPlan>();

  function plan(document: DocumentNode, operationName: string | undefined): SubscriptionPlan {
    const key = `${operationName ?? ''}\n${print(document)}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const operation = operationFromDocument(apiFederationSchema, document, { operationName });
    const queryPlan = planner.buildQueryPlan(operation);
    const node = queryPlan.node;
    if (node?.kind !== 'Subscription') throw new Error('not a subscription');
    const operationContext = buildOperationContext({ schema: apiSchema, operationDocument: document, operationName });
    const root = operationContext.operation.selectionSet.selections[0];
    const planned: SubscriptionPlan = {
      field: root?.kind === 'Field' ? root.name.value : 'unknown',
      primary: node.primary,
      rest: node.rest,
      operationContext,
    };
    if (cache.size >= CACHED_PLANS) cache.clear();
    cache.set(key, planned);
    return planned;
  }

  return {
    apiSchema,
    supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
    apiFederationSchema,
    subgraphNames: () => supergraph.subgraphs().names(),
    subgraphUrl: (name) => supergraph.subgraphs().get(name)?.url,
    plan,
  };
}
