import { assertService, type Caller } from '../../../ticketing/caller.ts';
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { causedBy, newEvent, type Causation } from '../../../ticketing/events/envelope.ts';
import { assertId } from '../../../platform/validation.ts';
import { TicketNotFound } from '../../../ticketing/ticket-errors.ts';
import { HOLDING_SERVICE, type TicketHold } from './hold-ticket.ts';
import type { HoldEnd, TicketDeps } from './ports.ts';
import { statusOf } from './ticket.ts';

/**
 * Releases a hold: back to AVAILABLE, but only if this reservation holds the ticket, so a late
 * or repeated release never frees a ticket someone else has since reserved.
 */
export async function releaseTicket(
  deps: TicketDeps,
  caller: Caller,
  ticketId: string,
  reservationId: string,
  causation: Causation,
): Promise<TicketHold> {
  assertService(caller, HOLDING_SERVICE);
  assertId('ticketId', ticketId);
  assertId('reservationId', reservationId);
  const released = newEvent('TicketReleased', { ticketId, reservationId }, {}, causation, deps.clock());
  await deps.tickets.releaseIfHeldBy(ticketId, reservationId, released);
  const ticket = await deps.tickets.findById(ticketId);
  if (!ticket) throw new TicketNotFound(ticketId);
  return { ticketId, reservationId, status: statusOf(ticket, deps.clock()) };
}

/**
 * The saga's compensation on the ticket side: a cancelled reservation, or a hold reservation
 * abandoned because it could not confirm it, gives its ticket back and closes that reservation's
 * hold for good, so a hold request for it that arrives late is refused. A batch of them is applied
 * in one transaction.
 */
export async function releaseTicketsOfEndedReservations(
  deps: TicketDeps,
  endings: readonly EventEnvelope[],
): Promise<void> {
  const ends: HoldEnd[] = [];
  for (const ended of endings) {
    const { ticketId, reservationId } = ended;
    if (!ticketId || !reservationId) continue;
    if (ended.type !== 'ReservationCancelled' && ended.type !== 'HoldAbandoned') continue;
    const cause = ended as EventEnvelope<'ReservationCancelled' | 'HoldAbandoned'>;
    const released = newEvent('TicketReleased', { ticketId, reservationId }, {}, causedBy(cause), deps.clock());
    ends.push({ cause, ticketId, reservationId, released });
  }
  if (ends.length > 0) await deps.tickets.closeHoldsOfEndedReservations(ends);
}

/** The events that end a reservation, for the ticket side. */
export const RESERVATION_END_EVENT_TYPES = ['ReservationCancelled', 'HoldAbandoned'] as const;
