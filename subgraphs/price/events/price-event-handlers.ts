import type { EventHandlers } from '../../../platform/events/consumer.ts';
import type { PriceDeps } from '../domain/ports.ts';
import { applyVipDiscount, assignPrice, revertVipDiscount } from '../domain/price-ticket.ts';

/** The events the price subgraph reacts to. Price never calls ticket or reservation. */
export function priceEventHandlers(deps: PriceDeps): EventHandlers {
  return {
    TicketRegistered: (event) => assignPrice(deps, event),
    TicketReserved: (event) => applyVipDiscount(deps, event),
    ReservationCancelled: (event) => revertVipDiscount(deps, event),
  };
}
