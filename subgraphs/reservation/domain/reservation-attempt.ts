import type { UserGrade } from '../../../ticketing/caller.ts';

/**
 * A reservation between its start and its confirmation. It is stored before ticket is asked to
 * hold, so that a hold whose reservation never comes (the process died, the answer was lost, the
 * confirmation failed) can always be found and abandoned. It is never shown as a reservation.
 */
export interface ReservationAttempt {
  /** The id the reservation will have, and the id ticket holds the ticket under. */
  id: string;
  ticketId: string;
  userId: string;
  userGrade: UserGrade;
  /** The request that started it, carried into the HoldAbandoned event if it is abandoned. */
  correlationId: string;
}

/** Why a hold was abandoned, as the HoldAbandoned event says. */
export type AbandonReason = 'hold-outcome-unknown' | 'reservation-commit-failed' | 'attempt-expired';

/** Who abandoned an attempt: the request that made it, or the sweeper after the time allowed. */
export type AbandonedBy = 'request' | 'sweeper';
