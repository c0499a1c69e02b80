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
 * have happened without a reservation to show for it is released again.
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
  try {
    await deps.ticketHolds.hold(ticketId, reservationId, causation);
  } catch (error) {
    if (error instanceof TicketServiceUnavailable && error.outcomeUnknown) {
      await releaseAbandonedHold(deps, ticketId, reservationId, causation);
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
  const reserved = newEvent(
    'TicketReserved',
    { ticketId, reservationId, userId: caller.userId },
    { userGrade: caller.grade },
    causation,
    reservation.reservedAt,
  );
  try {
    return await deps.reservations.create(reservation, reserved);
  } catch (error) {
    await releaseAbandonedHold(deps, ticketId, reservationId, causation);
    throw error;
  }
}

async function releaseAbandonedHold(
  deps: ReservationDeps,
  ticketId: string,
  reservationId: string,
  causation: Causation,
): Promise<void> {
  try {
    await deps.ticketHolds.release(ticketId, reservationId, causation);
    deps.logger.warn({ ticketId, reservationId, correlationId: causation.correlationId }, 'released an abandoned hold');
  } catch (error) {
    deps.logger.error(
      { err: error, ticketId, reservationId, correlationId: causation.correlationId },
      'could not release an abandoned hold',
    );
  }
}
