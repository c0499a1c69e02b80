/** What the reservation domain needs from the outside world; implemented in data/ and clients/. */
import type { EventEnvelope } from '../../../platform/events/contracts.ts';
import type { Causation } from '../../../platform/events/envelope.ts';
import type { Logger } from '../../../platform/logging.ts';
import type { PageRequest } from '../../../platform/pagination.ts';
import type { Reservation, ReservationStatus } from './reservation.ts';

export interface ReservationRepository {
  /** Stores a confirmed reservation and its TicketReserved event in one transaction. */
  create(reservation: Reservation, reserved: EventEnvelope<'TicketReserved'>): Promise<Reservation>;
  findById(id: string): Promise<Reservation | null>;
  findByIds(ids: readonly string[]): Promise<Reservation[]>;
  /** Up to `page.first + 1` of a user's reservations, newest first, after the cursor. */
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
  /** Writes a HoldAbandoned event to the outbox: ticket releases the hold and refuses it later. */
  recordAbandonedHold(abandoned: EventEnvelope<'HoldAbandoned'>): Promise<void>;
}

/** The synchronous calls to the ticket subgraph. */
export interface TicketHolds {
  /**
   * Holds the ticket for the reservation. Throws the ticket's refusal (TicketNotFound,
   * TicketNotAvailable, TicketExpired) or TicketServiceUnavailable.
   */
  hold(ticketId: string, reservationId: string, causation: Causation): Promise<void>;
  /** Releases the hold if this reservation has it. Idempotent. */
  release(ticketId: string, reservationId: string, causation: Causation): Promise<void>;
}

export interface ReservationDeps {
  reservations: ReservationRepository;
  ticketHolds: TicketHolds;
  clock: () => Date;
  logger: Logger;
}
