/** What the view's read side needs from its store; implemented in data/. */
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import type { PageRequest } from '../../../platform/pagination.ts';
import type { KnownEntity, ReservationEntry, TicketEntry, TicketStatus } from './board.ts';

export interface BoardReader {
  /**
   * Up to `page.size + 1` registered tickets from the cursor, in the page's direction of
   * registration order (then id; see PageRequest); with a status, only tickets that have it at `now`.
   */
  ticketBoard(filter: { status?: TicketStatus; now: Date }, page: PageRequest): Promise<TicketEntry[]>;
  /** One ticket's entry, registered or not (null when no event about it has been applied). */
  ticketEntry(ticketId: string): Promise<TicketEntry | null>;
  /**
   * Up to `page.size + 1` of a user's reserved reservations from the cursor, in the page's
   * direction of newest first (see PageRequest).
   */
  reservationBoard(userId: string, page: PageRequest): Promise<ReservationEntry[]>;
  /** What the store knows an id to be: a registered ticket, a reserved reservation (with its user), or nothing. */
  entityById(id: string): Promise<KnownEntity | null>;
}

export interface ViewDeps {
  boards: BoardReader;
  clock: () => Date;
}

/** An event as a subscription sees it: with its position (stream sequence). */
export interface StreamChange {
  position: number;
  event: EventEnvelope;
}

/** The stream's changes, in order, once: from now on, or after a position first. */
export interface ChangeSource {
  changes(after?: number): AsyncIterator<StreamChange> & { return(): Promise<unknown> };
}

/** How far the served store has applied the stream. */
export interface AppliedPosition {
  /** Resolves once the store has applied the event at `position` (and every one before it). */
  through(position: number): Promise<void>;
}
