/** Thin resolvers: unpack arguments, call one domain function. Errors are mapped centrally. */
import type { RequestContext } from '../../../platform/graphql/subgraph-server.ts';
import { DateTime } from '../../../platform/graphql/scalars.ts';
import type { ViewDeps } from '../domain/ports.ts';
import { findNode, findNodes, type NodeRef } from '../domain/find-nodes.ts';
import { readReservationBoard, readTicketBoard } from '../domain/read-boards.ts';
import type { Resolvers } from './resolver-types.generated.ts';

export interface ViewContext extends RequestContext {
  deps: ViewDeps;
}

export function createViewContext(base: RequestContext, deps: ViewDeps): ViewContext {
  return { ...base, deps };
}

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    ticketBoard: (_, args, ctx) => readTicketBoard(ctx.deps, args),
    reservationBoard: (_, args, ctx) => readReservationBoard(ctx.deps, ctx.caller, args),
    node: async (_, { id }, ctx) => asReference(await findNode(ctx.deps, ctx.caller, id)),
    // A list of promises: graphql-js completes each on its own, so one refused id is an error at
    // its own index (as the field's description promises), not the whole list's.
    nodes: (_, { ids }, ctx) =>
      findNodes(ctx.deps, ctx.caller, ids).map(async (node) => asReference(await node)) as unknown as never,
  },
  Node: {
    __resolveType: (node) => node.__typename ?? null,
  },
};

/** An entity reference the gateway completes from the subgraph that owns the type. */
function asReference(node: NodeRef | null): { __typename: NodeRef['kind']; id: string } | null {
  return node && { __typename: node.kind, id: node.id };
}
