import { batchConsumption, type EventConsumption } from '../../../platform/events/consumer.ts';
import type { TicketDeps } from '../domain/ports.ts';
import { releaseTicketsOfEndedReservations, RESERVATION_END_EVENT_TYPES } from '../domain/release-ticket.ts';

/** The events the ticket subgraph reacts to, a batch at a time in one transaction. */
export function ticketEventHandlers(deps: TicketDeps): EventConsumption {
  return batchConsumption(RESERVATION_END_EVENT_TYPES, (events) => releaseTicketsOfEndedReservations(deps, events));
}
