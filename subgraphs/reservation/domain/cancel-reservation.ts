import { assertUser, isAdmin, type Caller } from '../../../ticketing/caller.ts';
import { Forbidden } from '../../../ticketing/errors.ts';
import { newEvent, type Causation } from '../../../ticketing/events/envelope.ts';
import { assertId } from '../../../platform/validation.ts';
import { ReservationAlreadyCancelled, ReservationNotFound } from './errors.ts';
import type { ReservationDeps } from './ports.ts';
import type { Reservation } from './reservation.ts';

/**
 * Cancels a reservation: a local transaction only. The ticket's release and the VIP discount's
 * reversal follow from the ReservationCancelled event, so cancelling works while ticket or
 * price are down; they converge when they are back.
 */
export async function cancelReservation(
  deps: ReservationDeps,
  caller: Caller,
  id: string,
  causation: Causation,
): Promise<Reservation> {
  assertUser(caller);
  assertId('id', id);
  const reservation = await deps.reservations.findById(id);
  if (!reservation) throw new ReservationNotFound(id);
  if (reservation.userId !== caller.userId && !isAdmin(caller)) {
    throw new Forbidden('only the owner or an ADMIN may cancel this reservation');
  }
  if (reservation.status === 'CANCELLED') throw new ReservationAlreadyCancelled(id);

  const cancelledAt = deps.clock();
  const cancelled = newEvent(
    'ReservationCancelled',
    { ticketId: reservation.ticketId, reservationId: id, userId: reservation.userId },
    { userGrade: reservation.userGrade },
    causation,
    cancelledAt,
  );
  const result = await deps.reservations.cancelIfConfirmed(id, cancelledAt, cancelled);
  if (!result) throw new ReservationAlreadyCancelled(id);
  // Ticket releases the seat once the event reaches it; from then on this replica asks ticket.
  deps.takenTickets?.forget(reservation.ticketId);
  return result;
}
