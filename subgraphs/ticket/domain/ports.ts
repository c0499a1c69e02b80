/** What the ticket domain needs from the outside world; implemented in data/. */
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import type { PageRequest } from '../../../platform/pagination.ts';
import type { Ticket, TicketStatus } from './ticket.ts';

export interface NewTicket {
  id: string;
  name: string;
  startsAt: Date;
  expiresAt: Date;
}

/**
 * The outcome of `holdIfAvailable`. When nothing was held: the ticket as the attempt saw it (null
 * when there is none), whether the reservation's hold was closed, and `contended` when the ticket
 * looked available but a concurrent change (another hold, a closure) came first — then only a
 * fresh read says who holds it.
 */
export type HoldAttempt =
  | { held: true }
  | {
      held: false;
      ticket: Pick<Ticket, 'state' | 'heldBy' | 'expiresAt'> | null;
      holdClosed: boolean;
      contended: boolean;
    };

export interface TicketRepository {
  /** Stores a new ticket and its TicketRegistered event in one transaction. */
  register(ticket: NewTicket, registered: EventEnvelope<'TicketRegistered'>): Promise<Ticket>;
  findById(id: string): Promise<Ticket | null>;
  findByIds(ids: readonly string[]): Promise<Ticket[]>;
  /**
   * Up to `page.size + 1` tickets from the cursor, in the page's direction of registration order
   * (then id; see PageRequest).
   */
  list(filter: { status?: TicketStatus; now: Date }, page: PageRequest): Promise<Ticket[]>;
  count(): Promise<number>;
  /**
   * The atomic check-and-hold, in one round trip: AVAILABLE, not expired, and the reservation's
   * hold not closed → RESERVED by `reservationId`, with the TicketHeld event, atomically; of any
   * number of concurrent holds of one ticket exactly one is `held`. A hold that did not happen
   * reports what the domain needs to say why (see HoldAttempt).
   */
  holdIfAvailable(
    ticketId: string,
    reservationId: string,
    now: Date,
    held: EventEnvelope<'TicketHeld'>,
  ): Promise<HoldAttempt>;
  /**
   * Back to AVAILABLE only if held by `reservationId`, with the TicketReleased event, in one
   * transaction. With `close`, the reservation's hold is closed for good in that transaction (a
   * later hold for it is refused). `cause`, when given, is recorded in the inbox in that
   * transaction; an event already recorded changes nothing. Returns true when this call released
   * the ticket.
   */
  releaseIfHeldBy(
    ticketId: string,
    reservationId: string,
    released: EventEnvelope<'TicketReleased'>,
    options?: { cause?: EventEnvelope; close?: boolean },
  ): Promise<boolean>;
  /**
   * The saga's compensations, in one transaction: for each end not recorded in the inbox before,
   * the reservation's hold is closed for good and its ticket, if that reservation holds it, goes
   * back to AVAILABLE with its TicketReleased event. All of them commit, or none.
   */
  closeHoldsOfEndedReservations(ends: readonly HoldEnd[]): Promise<void>;
}

/** A reservation that ended (its cause), and the release it calls for. */
export interface HoldEnd {
  cause: EventEnvelope<'ReservationCancelled' | 'HoldAbandoned'>;
  ticketId: string;
  reservationId: string;
  released: EventEnvelope<'TicketReleased'>;
}

export interface TicketDeps {
  tickets: TicketRepository;
  clock: () => Date;
}
