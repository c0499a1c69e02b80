/** What the view's read side needs from its store; implemented in data/. */
import type { PageRequest } from '../../../platform/pagination.ts';
import type { ReservationEntry, TicketEntry, TicketStatus } from './board.ts';

export interface BoardReader {
  /**
   * Up to `page.first + 1` registered tickets in registration order (then id) after the cursor;
   * with a status, only tickets that have it at `now`.
   */
  ticketBoard(filter: { status?: TicketStatus; now: Date }, page: PageRequest): Promise<TicketEntry[]>;
  /** Up to `page.first + 1` of a user's reserved reservations, newest first, after the cursor. */
  reservationBoard(userId: string, page: PageRequest): Promise<ReservationEntry[]>;
}

export interface ViewDeps {
  boards: BoardReader;
  clock: () => Date;
}
