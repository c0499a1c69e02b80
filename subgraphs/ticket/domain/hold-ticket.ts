import { assertService, type Caller } from '../../../ticketing/caller.ts';
import { newEvent, type Causation } from '../../../ticketing/events/envelope.ts';
import { assertId } from '../../../platform/validation.ts';
import { TicketExpired, TicketNotAvailable, TicketNotFound } from '../../../ticketing/ticket-errors.ts';
import type { TicketDeps } from './ports.ts';
import { isHeldBy, statusOf, type TicketStatus } from './ticket.ts';

export interface TicketHold {
  ticketId: string;
  reservationId: string;
  status: TicketStatus;
}

/** Only the reservation service holds and releases tickets. */
export const HOLDING_SERVICE = 'reservation';

/**
 * The synchronous step of the reservation saga: AVAILABLE and not expired → RESERVED by this
 * reservation, atomically, so exactly one of any number of concurrent holds wins. Holding again
 * for the same reservation succeeds without change, so the call is safe to retry.
 */
export async function holdTicket(
  deps: TicketDeps,
  caller: Caller,
  ticketId: string,
  reservationId: string,
  causation: Causation,
): Promise<TicketHold> {
  assertService(caller, HOLDING_SERVICE);
  assertId('ticketId', ticketId);
  assertId('reservationId', reservationId);
  const now = deps.clock();
  const held = newEvent('TicketHeld', { ticketId, reservationId }, {}, causation, now);
  const attempt = await deps.tickets.holdIfAvailable(ticketId, reservationId, now, held);
  if (attempt.held) return { ticketId, reservationId, status: 'RESERVED' };
  // Lost a race the attempt could not see the end of: only a fresh read says who holds it now.
  const ticket = attempt.contended ? await deps.tickets.findById(ticketId) : attempt.ticket;
  if (!ticket) throw new TicketNotFound(ticketId);
  if (isHeldBy(ticket, reservationId)) return { ticketId, reservationId, status: 'RESERVED' };
  // A hold arriving after its reservation gave up on it (or was cancelled) must not take the ticket.
  if (attempt.holdClosed) throw new TicketNotAvailable(ticketId);
  if (statusOf(ticket, now) === 'EXPIRED') throw new TicketExpired(ticketId);
  throw new TicketNotAvailable(ticketId);
}
