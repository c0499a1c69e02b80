import type { EventHandlers } from '../../../platform/events/consumer.ts';
import type { TicketDeps } from '../domain/ports.ts';
import { releaseTicketOfEndedReservation } from '../domain/release-ticket.ts';

/** The events the ticket subgraph reacts to. */
export function ticketEventHandlers(deps: TicketDeps): EventHandlers {
  return {
    ReservationCancelled: (event) => releaseTicketOfEndedReservation(deps, event),
    HoldAbandoned: (event) => releaseTicketOfEndedReservation(deps, event),
  };
}
