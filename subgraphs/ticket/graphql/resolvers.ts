/** Thin resolvers: unpack arguments, call one domain function. Errors are mapped centrally. */
import DataLoader from 'dataloader';
import type { RequestContext } from '../../../platform/graphql/subgraph-server.ts';
import { DateTime } from '../../../platform/graphql/scalars.ts';
import type { Causation } from '../../../ticketing/events/envelope.ts';
import { findTicket, listTickets } from '../domain/find-tickets.ts';
import { holdTicket } from '../domain/hold-ticket.ts';
import type { TicketDeps } from '../domain/ports.ts';
import { registerTicket } from '../domain/register-ticket.ts';
import { releaseTicket } from '../domain/release-ticket.ts';
import { statusOf, type Ticket } from '../domain/ticket.ts';
import type { Resolvers } from './resolver-types.generated.ts';

export interface TicketContext extends RequestContext {
  deps: TicketDeps;
  /** Batches entity lookups from the gateway: one query per request, not one per ticket. */
  ticketsById: DataLoader<string, Ticket | null>;
}

export function createTicketContext(base: RequestContext, deps: TicketDeps): TicketContext {
  return {
    ...base,
    deps,
    ticketsById: new DataLoader(async (ids) => {
      const tickets = await deps.tickets.findByIds(ids);
      const byId = new Map(tickets.map((t) => [t.id, t]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

const causation = (ctx: RequestContext): Causation => ({ correlationId: ctx.correlationId, causationId: null });

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    ticket: (_, { id }, ctx) => findTicket(ctx.deps, id),
    tickets: (_, args, ctx) => listTickets(ctx.deps, args),
  },
  Mutation: {
    registerTicket: (_, { input }, ctx) => registerTicket(ctx.deps, ctx.caller, input, causation(ctx)),
    holdTicket: (_, args, ctx) => holdTicket(ctx.deps, ctx.caller, args.ticketId, args.reservationId, causation(ctx)),
    releaseTicket: (_, args, ctx) =>
      releaseTicket(ctx.deps, ctx.caller, args.ticketId, args.reservationId, causation(ctx)),
  },
  Ticket: {
    __resolveReference: (ref, ctx) => ctx.ticketsById.load(ref.id),
    status: (ticket, _, ctx) => statusOf(ticket, ctx.deps.clock()),
  },
};
