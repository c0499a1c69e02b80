/** What the reservation domain needs from the outside world; implemented in data/ and clients/. */
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import type { Causation } from '../../../ticketing/events/envelope.ts';
import type { PageRequest } from '../../../platform/pagination.ts';
import type { AbandonedBy, AbandonReason, ReservationAttempt } from './reservation-attempt.ts';
import type { Reservation, ReservationStatus } from './reservation.ts';
import type { TakenTickets } from './taken-tickets.ts';

export interface ReservationRepository {
  /** Stores a pending attempt (committed before this returns); its start time is the database's clock. */
  startAttempt(attempt: ReservationAttempt): Promise<void>;
  /**
   * Ends the attempt as a CONFIRMED reservation with its TicketReserved event, in one transaction.
   * Returns null, writing nothing, when the attempt no longer exists (it was abandoned).
   */
  confirm(reservation: Reservation, reserved: EventEnvelope<'TicketReserved'>): Promise<Reservation | null>;
  /**
   * Ends the attempt as abandoned: deletes it and writes its HoldAbandoned event in one transaction
   * (ticket releases the hold and refuses it later). False when the attempt no longer exists.
   */
  abandonAttempt(id: string, abandoned: EventEnvelope<'HoldAbandoned'>): Promise<boolean>;
  /** Deletes an attempt that certainly holds nothing (ticket refused it, or it was never sent). */
  forgetAttempt(id: string): Promise<void>;
  /**
   * Abandons, as `abandonAttempt` does, up to `limit` attempts started more than `olderThanMs` ago,
   * skipping any that another transaction has locked (a confirmation, or another replica's sweep).
   */
  abandonAttemptsOlderThan(
    olderThanMs: number,
    limit: number,
    abandonedEvent: (attempt: ReservationAttempt) => EventEnvelope<'HoldAbandoned'>,
  ): Promise<ReservationAttempt[]>;
  findById(id: string): Promise<Reservation | null>;
  findByIds(ids: readonly string[]): Promise<Reservation[]>;
  /**
   * Up to `page.size + 1` of a user's reservations from the cursor, in the page's direction of
   * newest first (see PageRequest).
   */
  listByUser(userId: string, status: ReservationStatus | undefined, page: PageRequest): Promise<Reservation[]>;
  /**
   * CONFIRMED → CANCELLED with its ReservationCancelled event, in one transaction.
   * Returns the cancelled reservation, or null when it was not CONFIRMED.
   */
  cancelIfConfirmed(
    id: string,
    at: Date,
    cancelled: EventEnvelope<'ReservationCancelled'>,
  ): Promise<Reservation | null>;
}

/** The synchronous call to the ticket subgraph. */
export interface TicketHolds {
  /**
   * Holds the ticket for the reservation. Throws the ticket's refusal (TicketNotFound,
   * TicketNotAvailable, TicketExpired) or TicketServiceUnavailable.
   */
  hold(ticketId: string, reservationId: string, causation: Causation): Promise<void>;
  /**
   * Throws TicketServiceUnavailable at once when a hold would be refused without being sent (the
   * circuit is open), so that a caller can fail fast without writing anything first.
   */
  assertAcceptingHolds(): void;
}

/** Told of every abandoned attempt (metrics). */
export interface SagaObserver {
  attemptAbandoned(by: AbandonedBy, reason: AbandonReason): void;
}

/** Where the domain reports work it could not finish; the service hands it its pino logger. */
export interface Logger {
  warn(details: object, message: string): void;
}

export interface ReservationDeps {
  reservations: ReservationRepository;
  ticketHolds: TicketHolds;
  /** Tickets seen taken a moment ago, refused without asking ticket; absent, every attempt asks. */
  takenTickets?: TakenTickets;
  clock: () => Date;
  logger: Logger;
  saga?: SagaObserver;
}
