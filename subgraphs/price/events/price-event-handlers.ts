import { batchConsumption, type EventConsumption } from '../../../platform/events/consumer.ts';
import type { PriceDeps } from '../domain/ports.ts';
import { applyPriceEvents, PRICE_EVENT_TYPES } from '../domain/price-ticket.ts';

/**
 * The events the price subgraph reacts to, a batch at a time in one transaction. Price never calls
 * ticket or reservation.
 */
export function priceEventHandlers(deps: PriceDeps): EventConsumption {
  return batchConsumption(PRICE_EVENT_TYPES, (events) => applyPriceEvents(deps, events));
}
