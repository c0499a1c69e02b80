import { newEvent } from '../../../ticketing/events/envelope.ts';
import type { ReservationDeps } from './ports.ts';
import type { ReservationAttempt } from './reservation-attempt.ts';

export interface SweepPolicy {
  /** An attempt not confirmed within this time is abandoned, in ms. */
  attemptTimeoutMs: number;
  /** Attempts abandoned per transaction. */
  batchSize: number;
}

/**
 * The saga's safety net: abandons every attempt that was neither confirmed nor abandoned within
 * the time allowed, whatever stopped it (the process died between the hold and its commit, the
 * database was down when the request tried to abandon it). Safe to run in every replica at once.
 * Returns how many were abandoned.
 */
export async function abandonExpiredAttempts(deps: ReservationDeps, policy: SweepPolicy): Promise<number> {
  let total = 0;
  for (;;) {
    const abandoned = await deps.reservations.abandonAttemptsOlderThan(
      policy.attemptTimeoutMs,
      policy.batchSize,
      (attempt) => abandonedEvent(attempt, deps.clock()),
    );
    for (const attempt of abandoned) {
      deps.takenTickets?.forget(attempt.ticketId);
      deps.saga?.attemptAbandoned('sweeper', 'attempt-expired');
      deps.logger.warn(
        {
          ticketId: attempt.ticketId,
          reservationId: attempt.id,
          correlationId: attempt.correlationId,
          reason: 'attempt-expired',
        },
        'abandoned a hold whose reservation was not confirmed in time; ticket will release it',
      );
    }
    total += abandoned.length;
    if (abandoned.length < policy.batchSize) return total;
  }
}

function abandonedEvent(attempt: ReservationAttempt, now: Date) {
  return newEvent(
    'HoldAbandoned',
    { ticketId: attempt.ticketId, reservationId: attempt.id, userId: attempt.userId },
    { reason: 'attempt-expired' },
    // Caused by no event: by the passing of time since the request that started it.
    { correlationId: attempt.correlationId, causationId: null },
    now,
  );
}
