/** Thin resolvers: unpack arguments, call one domain function. Errors are mapped centrally. */
import DataLoader from 'dataloader';
import type { Causation } from '../../../ticketing/events/envelope.ts';
import { DateTime } from '../../../platform/graphql/scalars.ts';
import type { RequestContext } from '../../../platform/graphql/subgraph-server.ts';
import { cancelReservation } from '../domain/cancel-reservation.ts';
import { assertMayRead, findReservation, listMyReservations } from '../domain/find-reservations.ts';
import type { ReservationDeps } from '../domain/ports.ts';
import { reserveTicket } from '../domain/reserve-ticket.ts';
import type { Reservation } from '../domain/reservation.ts';
import type { Resolvers } from './resolver-types.generated.ts';

export interface ReservationContext extends RequestContext {
  deps: ReservationDeps;
  reservationsById: DataLoader<string, Reservation | null>;
}

export function createReservationContext(base: RequestContext, deps: ReservationDeps): ReservationContext {
  return {
    ...base,
    deps,
    reservationsById: new DataLoader(async (ids) => {
      const found = new Map((await deps.reservations.findByIds(ids)).map((r) => [r.id, r]));
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}

const causation = (ctx: RequestContext): Causation => ({ correlationId: ctx.correlationId, causationId: null });

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    reservation: (_, { id }, ctx) => findReservation(ctx.deps, ctx.caller, id),
    myReservations: (_, args, ctx) => listMyReservations(ctx.deps, ctx.caller, args),
  },
  Mutation: {
    reserveTicket: (_, { ticketId }, ctx) => reserveTicket(ctx.deps, ctx.caller, ticketId, causation(ctx)),
    cancelReservation: (_, { id }, ctx) => cancelReservation(ctx.deps, ctx.caller, id, causation(ctx)),
  },
  Reservation: {
    __resolveReference: async (ref, ctx) => {
      const reservation = await ctx.reservationsById.load(ref.id);
      if (reservation) assertMayRead(ctx.caller, reservation);
      return reservation;
    },
    ticket: (reservation) => ({ __typename: 'Ticket', id: reservation.ticketId }),
  },
};
