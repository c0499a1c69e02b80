import { randomUUID } from 'node:crypto';
import { assertUser, type Caller } from '../../../platform/auth/caller.ts';
import { newEvent, type Causation } from '../../../platform/events/envelope.ts';
import { assertId } from '../../../platform/validation.ts';
import { TicketServiceUnavailable } from './errors.ts';
import type { ReservationDeps } from './ports.ts';
import type { Reservation } from './reservation.ts';

/**
 * The reservation saga's first steps: hold the ticket synchronously (one winner among concurrent
 * callers), then commit the reservation and its TicketReserved event together. A hold that may
 * have happened without a reservation to show for it (no answer came back, or the commit failed)
 * is abandoned: ticket releases it and refuses it if it arrives late.
 */
export async function reserveTicket(
  deps: ReservationDeps,
  caller: Caller,
  ticketId: string,
  causation: Causation,
): Promise<Reservation> {
  assertUser(caller);
  assertId('ticketId', ticketId);
  const reservationId = randomUUID();
  const hold = { ticketId, reservationId, userId: caller.userId };
  try {
    await deps.ticketHolds.hold(ticketId, reservationId, causation);
  } catch (error) {
    if (error instanceof TicketServiceUnavailable && error.outcomeUnknown) {
      await abandonHold(deps, hold, 'hold-outcome-unknown', causation);
    }
    throw error;
  }

  const reservation: Reservation = {
    id: reservationId,
    ticketId,
    userId: caller.userId,
    userGrade: caller.grade,
    status: 'CONFIRMED',
    reservedAt: deps.clock(),
    cancelledAt: null,
  };
  const reserved = newEvent('TicketReserved', hold, { userGrade: caller.grade }, causation, reservation.reservedAt);
  try {
    return await deps.reservations.create(reservation, reserved);
  } catch (error) {
    await abandonHold(deps, hold, 'reservation-commit-failed', causation);
    throw error;
  }
}

/**
 * Durably first: a HoldAbandoned event in the outbox reaches ticket whenever it runs. When even
 * that write fails (the database is what failed), the release is called directly.
 */
async function abandonHold(
  deps: ReservationDeps,
  hold: { ticketId: string; reservationId: string; userId: string },
  reason: string,
  causation: Causation,
): Promise<void> {
  const log = { ...hold, reason, correlationId: causation.correlationId };
  try {
    await deps.reservations.recordAbandonedHold(newEvent('HoldAbandoned', hold, { reason }, causation, deps.clock()));
    deps.logger.warn(log, 'abandoned a hold whose reservation could not be confirmed; ticket will release it');
    return;
  } catch (error) {
    deps.logger.warn({ ...log, err: error }, 'could not record the abandoned hold; releasing it directly');
  }
  try {
    await deps.ticketHolds.release(hold.ticketId, hold.reservationId, causation);
  } catch (error) {
    deps.logger.error(
      { ...log, err: error },
      'could not release an abandoned hold: the ticket stays held until released by hand',
    );
  }
}
