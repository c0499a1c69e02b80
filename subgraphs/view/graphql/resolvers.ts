/** Thin resolvers: unpack arguments, call one domain function. Errors are mapped centrally. */
import type { RequestContext } from '../../../platform/graphql/subgraph-server.ts';
import { DateTime } from '../../../platform/graphql/scalars.ts';
import type { AppliedPosition, ChangeSource, ViewDeps } from '../domain/ports.ts';
import { findNode, findNodes, type NodeRef } from '../domain/find-nodes.ts';
import { readReservationBoard, readTicketBoard } from '../domain/read-boards.ts';
import { watchMyReservations, watchTicketBoard, watchTickets, type Delivery } from '../domain/watch-changes.ts';
import type { Resolvers } from './resolver-types.generated.ts';

export interface ViewContext extends RequestContext {
  deps: ViewDeps;
  /** A subscription's: the stream's changes, and the position after which the gateway resumes it. */
  subscription?: { changes: ChangeSource; applied: AppliedPosition; resumeAfter?: number };
}

export function createViewContext(
  base: RequestContext,
  deps: ViewDeps,
  subscription?: ViewContext['subscription'],
): ViewContext {
  return { ...base, deps, subscription };
}

function subscriptionOf(ctx: ViewContext): NonNullable<ViewContext['subscription']> {
  if (!ctx.subscription) throw new Error('subscriptions are served over WebSocket, not HTTP');
  return ctx.subscription;
}

/** Each event of a subscription's stream is a delivery; its field is the delivered value. */
const delivered = <T>(delivery: Delivery<T>): T => delivery.value;

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
  Subscription: {
    ticketChanged: {
      subscribe: (_, args, ctx) => {
        const { changes, resumeAfter } = subscriptionOf(ctx);
        return watchTickets(changes, args, resumeAfter);
      },
      resolve: delivered,
    },
    ticketBoardChanged: {
      subscribe: (_, args, ctx) => {
        const { changes, applied, resumeAfter } = subscriptionOf(ctx);
        return watchTicketBoard(changes, { ...ctx.deps, applied }, args, resumeAfter);
      },
      resolve: delivered,
    },
    myReservationChanged: {
      subscribe: (_, args, ctx) => {
        const { changes, resumeAfter } = subscriptionOf(ctx);
        return watchMyReservations(changes, ctx.caller, args, resumeAfter);
      },
      resolve: delivered,
    },
  },
};

/** An entity reference the gateway completes from the subgraph that owns the type. */
function asReference(node: NodeRef | null): { __typename: NodeRef['kind']; id: string } | null {
  return node && { __typename: node.kind, id: node.id };
}
