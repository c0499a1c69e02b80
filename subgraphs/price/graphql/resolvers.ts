/** Thin resolvers: unpack arguments, call one domain function. Errors are mapped centrally. */
import DataLoader from 'dataloader';
import { DateTime } from '../../../platform/graphql/scalars.ts';
import type { RequestContext } from '../../../platform/graphql/subgraph-server.ts';
import { findPrice, listPricePolicies, setPricePolicy } from '../domain/manage-policies.ts';
import type { PriceDeps } from '../domain/ports.ts';
import type { Price } from '../domain/price.ts';
import type { Resolvers } from './resolver-types.generated.ts';

export interface PriceContext extends RequestContext {
  deps: PriceDeps;
  /** Batches `Ticket.price` for every ticket of a federated query into one read. */
  pricesByTicketId: DataLoader<string, Price | null>;
}

export function createPriceContext(base: RequestContext, deps: PriceDeps): PriceContext {
  return {
    ...base,
    deps,
    pricesByTicketId: new DataLoader(async (ticketIds) => {
      const found = new Map((await deps.prices.findPrices(ticketIds)).map((p) => [p.ticketId, p]));
      return ticketIds.map((id) => found.get(id) ?? null);
    }),
  };
}

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    price: (_, { ticketId }, ctx) => findPrice(ctx.deps, ticketId),
    pricePolicies: (_, __, ctx) => listPricePolicies(ctx.deps),
  },
  Mutation: {
    setPricePolicy: (_, { input }, ctx) => setPricePolicy(ctx.deps, ctx.caller, input),
  },
  Ticket: {
    __resolveReference: (ref) => ({ id: ref.id }),
    price: (ticket, _, ctx) => ctx.pricesByTicketId.load(ticket.id),
  },
};
