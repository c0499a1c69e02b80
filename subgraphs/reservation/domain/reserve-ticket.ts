import { randomUUID } from 'node:crypto';
import { assertUser, type Caller } from '../../../ticketing/caller.ts';
import { newEvent, type Causation } from '../../../ticketing/events/envelope.ts';
import { TicketExpired, TicketNotAvailable, TicketNotFound } from '../../../ticketing/ticket-errors.ts';
import { assertId } from '../../../platform/validation.ts';
import { TicketServiceUnavailable } from './errors.ts';
import type { ReservationDeps } from './ports.ts';
import type { AbandonReason, ReservationAttempt } from './reservation-attempt.ts';
import type { Reservation } from './reservation.ts';
import { UNCOORDINATED, type Turn } from './taken-tickets.ts';

/** Seconds a caller whose confirmation came too late is asked to wait before trying again. */
const RETRY_AFTER_LATE_CONFIRMATION_S = 1;

/**
 * The reservation saga's first steps, each durable before the next:
 * 0. a ticket this replica saw taken a moment ago is refused at once (see taken-tickets.ts);
 * 1. the attempt is stored (so a hold can never exist without a record of who asked for it);
 * 2. ticket holds the ticket synchronously (one winner among concurrent callers);
 * 3. the attempt is confirmed: the reservation and its TicketReserved event replace it in one
 *    transaction.
 * An attempt that cannot be confirmed is abandoned (HoldAbandoned through the outbox: ticket
 * releases the hold and refuses it if it arrives late). If even that cannot be written, or this
 * process dies on the way, the attempt stays stored and the sweeper abandons it once it is older
 * than the time allowed. Confirmation and abandonment both delete the attempt, so exactly one of
 * them wins.
 */
export async function reserveTicket(
  deps: ReservationDeps,
  caller: Caller,
  ticketId: string,
  causation: Causation,
): Promise<Reservation> {
  assertUser(caller);
  assertId('ticketId', ticketId);
  const turn = await turnToAsk(deps, ticketId);
  const attempt: ReservationAttempt = {
    id: randomUUID(),
    ticketId,
    userId: caller.userId,
    userGrade: caller.grade,
    correlationId: causation.correlationId,
  };
  try {
    deps.ticketHolds.assertAcceptingHolds();
    await deps.reservations.startAttempt(attempt);
  } catch (error) {
    turn.end('other');
    throw error;
  }

  try {
    await deps.ticketHolds.hold(ticketId, attempt.id, causation);
  } catch (error) {
    turn.end(error instanceof TicketNotAvailable ? 'taken' : 'other');
    if (heldNothing(error)) await forgetAttempt(deps, attempt);
    else await abandonAttempt(deps, attempt, 'hold-outcome-unknown', causation);
    throw error;
  }
  turn.end('taken');

  const reservation: Reservation = {
    id: attempt.id,
    ticketId,
    userId: caller.userId,
    userGrade: caller.grade,
    status: 'CONFIRMED',
    reservedAt: deps.clock(),
    cancelledAt: null,
  };
  const reserved = newEvent(
    'TicketReserved',
    keysOf(attempt),
    { userGrade: caller.grade },
    causation,
    reservation.reservedAt,
  );
  let confirmed: Reservation | null;
  try {
    confirmed = await deps.reservations.confirm(reservation, reserved);
  } catch (error) {
    await abandonAttempt(deps, attempt, 'reservation-commit-failed', causation);
    throw error;
  }
  if (!confirmed) {
    // The sweeper abandoned the attempt first: its HoldAbandoned gives the ticket back.
    deps.takenTickets?.forget(ticketId);
    deps.logger.warn(
      { ...keysOf(attempt), correlationId: causation.correlationId },
      'the hold came back after the attempt had been abandoned; the reservation is not made',
    );
    throw new TicketServiceUnavailable(RETRY_AFTER_LATE_CONFIRMATION_S, false);
  }
  return confirmed;
}

/**
 * Refuses at once a ticket this replica knows taken, after waiting for the answer to its attempt in
 * flight for the same ticket, if any (taken-tickets.ts); otherwise this attempt's turn to ask.
 */
async function turnToAsk(deps: ReservationDeps, ticketId: string): Promise<Turn> {
  const turn = deps.takenTickets ? await deps.takenTickets.takeTurn(ticketId) : UNCOORDINATED;
  if (turn === 'taken') throw new TicketNotAvailable(ticketId);
  return turn;
}

/**
 * Only ticket's own refusals and a call that was never sent prove that nothing was held. Anything
 * else (no answer, a lost answer, an unexpected error) may have held the ticket.
 */
function heldNothing(error: unknown): boolean {
  if (error instanceof TicketServiceUnavailable) return !error.outcomeUnknown;
  return error instanceof TicketNotAvailable || error instanceof TicketNotFound || error instanceof TicketExpired;
}

function keysOf(attempt: ReservationAttempt) {
  return { ticketId: attempt.ticketId, reservationId: attempt.id, userId: attempt.userId };
}

async function forgetAttempt(deps: ReservationDeps, attempt: ReservationAttempt): Promise<void> {
  try {
    await deps.reservations.forgetAttempt(attempt.id);
  } catch (error) {
    // Harmless: the sweeper abandons it later, and abandoning a hold that never happened only
    // tells ticket to refuse it.
    deps.logger.warn({ ...keysOf(attempt), err: error }, 'could not delete a reservation attempt that held nothing');
  }
}

/** Durably: a HoldAbandoned event in the outbox reaches ticket whenever it runs. */
async function abandonAttempt(
  deps: ReservationDeps,
  attempt: ReservationAttempt,
  reason: AbandonReason,
  causation: Causation,
): Promise<void> {
  const log = { ...keysOf(attempt), reason, correlationId: causation.correlationId };
  // The hold is on its way back to the pool: the next attempt asks ticket.
  deps.takenTickets?.forget(attempt.ticketId);
  try {
    const abandoned = newEvent('HoldAbandoned', keysOf(attempt), { reason }, causation, deps.clock());
    if (await deps.reservations.abandonAttempt(attempt.id, abandoned)) {
      deps.saga?.attemptAbandoned('request', reason);
      deps.logger.warn(log, 'abandoned a hold whose reservation could not be confirmed; ticket will release it');
    }
  } catch (error) {
    // Never released directly: the confirmation's commit may have succeeded unseen, and only the
    // stored attempt can tell. While it exists, the sweeper abandons it once the database is back.
    deps.logger.warn(
      { ...log, err: error },
      'could not abandon the hold now; the attempt stays stored and the sweeper abandons it',
    );
  }
}
