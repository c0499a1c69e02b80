/** Thin resolvers: unpack arguments, call one domain function. Errors are mapped centrally. */
import type { RequestContext } from '../../../platform/graphql/subgraph-server.ts';
import { DateTime } from '../../../platform/graphql/scalars.ts';
import type { TicketStatus } from '../domain/board.ts';
import type { ViewDeps } from '../domain/ports.ts';
import { readReservationBoard, readTicketBoard, type BoardArgs } from '../domain/read-boards.ts';

export interface ViewContext extends RequestContext {
  deps: ViewDeps;
}

export function createViewContext(base: RequestContext, deps: ViewDeps): ViewContext {
  return { ...base, deps };
}

export const resolvers = {
  DateTime,
  Query: {
    ticketBoard: (_: unknown, args: BoardArgs & { status?: TicketStatus | null }, ctx: ViewContext) =>
      readTicketBoard(ctx.deps, args),
    reservationBoard: (_: unknown, args: BoardArgs & { userId?: string | null }, ctx: ViewContext) =>
      readReservationBoard(ctx.deps, ctx.caller, args),
  },
};
