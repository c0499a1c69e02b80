/** Thin resolvers: unpack arguments, call one domain function. Errors are mapped centrally. */
import type { RequestContext } from '../../../platform/graphql/subgraph-server.ts';
import { DateTime } from '../../../platform/graphql/scalars.ts';
import type { ViewDeps } from '../domain/ports.ts';
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
  },
};
