import type { EventHandlers } from '../../../platform/events/consumer.ts';
import type { TicketDeps } from '../domain/ports.ts';
import { releaseTicketOfCancelledReservation } from '../domain/release-ticket.ts';

/** The events the ticket subgraph reacts to. */
export function ticketEventHandlers(deps: TicketDeps): EventHandlers {
  return {
    ReservationCancelled: (event) => releaseTicketOfCancelledReservation(deps, event),
  };
}
