/**
 * What each subscription sees of the stream: the changes that concern it, each with the stream
 * position a client may resume after. The payload names the entity that changed; the gateway
 * reads the fields the client selected from their owners when it delivers the event, so they
 * are at least as new as the event.
 */
import { assertUser, type Caller } from '../../../ticketing/caller.ts';
import { InvalidInput } from '../../../ticketing/errors.ts';
import type { EventEnvelope, EventType } from '../../../ticketing/events/contracts.ts';
import { filterMap } from '../../../platform/streams/filter-map.ts';
import { assertId } from '../../../platform/validation.ts';
import { toTicketBoardEntry, type TicketBoardEntry, type TicketStatus } from './board.ts';
import type { AppliedPosition, ChangeSource, StreamChange, ViewDeps } from './ports.ts';

/** One subscription event: the value delivered, and where in the stream it comes from. */
export interface Delivery<T> {
  position: number;
  occurredAt: string;
  value: T;
}

export type Deliveries<T> = AsyncIterableIterator<Delivery<T>>;

/** The events after which a ticket's status or price differs (written by its owner before it is published). */
const TICKET_CHANGES: ReadonlySet<EventType> = new Set<EventType>([
  'TicketRegistered',
  'TicketHeld',
  'TicketReleased',
  'PriceAssigned',
  'VipDiscountApplied',
  'VipDiscountReverted',
]);
/** The events after which a reservation differs (written by reservation before it is published). */
const RESERVATION_CHANGES: ReadonlySet<EventType> = new Set<EventType>(['TicketReserved', 'ReservationCancelled']);

export const MAX_WATCHED_TICKETS = 100;

export interface ResumeArgs {
  /** The position of the last event the client saw, as it was delivered (a decimal string). */
  after?: string | null;
}

/**
 * Where a subscription starts: after the client's `after`, or after the position the gateway
 * asks for when it resumes a subscription (whichever is later); from now on when neither is given.
 */
export function startPosition(args: ResumeArgs, resumeAfter: number | undefined): number | undefined {
  let after: number | undefined;
  if (args.after !== undefined && args.after !== null) {
    if (!/^\d{1,15}$/.test(args.after)) throw new InvalidInput('after', 'must be a position a subscription delivered');
    after = Number(args.after);
  }
  if (resumeAfter === undefined) return after;
  return Math.max(after ?? 0, resumeAfter);
}

function deliver<T>(change: StreamChange, value: T): Delivery<T> {
  return { position: change.position, occurredAt: change.event.occurredAt, value };
}

/** Status and price changes of the given tickets. Anyone may watch them. */
export function watchTickets(
  source: ChangeSource,
  args: ResumeArgs & { ticketIds: readonly string[] },
  resumeAfter?: number,
): Deliveries<{ __typename: 'Ticket'; id: string }> {
  if (args.ticketIds.length < 1 || args.ticketIds.length > MAX_WATCHED_TICKETS) {
    throw new InvalidInput('ticketIds', `must name 1 to ${MAX_WATCHED_TICKETS} tickets`);
  }
  args.ticketIds.forEach((id) => assertId('ticketIds', id));
  const watched = new Set(args.ticketIds);
  const from = startPosition(args, resumeAfter);
  return filterMap(source.changes(from), (change) => {
    const ticketId = ticketChangedBy(change.event);
    return ticketId && watched.has(ticketId) ? deliver(change, { __typename: 'Ticket', id: ticketId }) : undefined;
  });
}

/**
 * Ticket board entries as events change them, optionally only those with one status after the
 * change. Each is read from the view's own store once the store has applied the event, so it is
 * the board as it stands after it (or later). Anyone may watch the board.
 */
export function watchTicketBoard(
  source: ChangeSource,
  deps: ViewDeps & { applied: AppliedPosition },
  args: ResumeArgs & { status?: TicketStatus | null },
  resumeAfter?: number,
): Deliveries<TicketBoardEntry> {
  const from = startPosition(args, resumeAfter);
  return filterMap(source.changes(from), async (change) => {
    const ticketId = ticketChangedBy(change.event);
    if (!ticketId) return undefined;
    await deps.applied.through(change.position);
    const stored = await deps.boards.ticketEntry(ticketId);
    const entry = stored && toTicketBoardEntry(stored, deps.clock());
    if (!entry || (args.status && entry.status !== args.status)) return undefined;
    return deliver(change, entry);
  });
}

/** The caller's own reservations as they are made and cancelled; never another user's. */
export function watchMyReservations(
  source: ChangeSource,
  caller: Caller,
  args: ResumeArgs,
  resumeAfter?: number,
): Deliveries<{ __typename: 'Reservation'; id: string }> {
  assertUser(caller);
  const from = startPosition(args, resumeAfter);
  return filterMap(source.changes(from), (change) => {
    const { event } = change;
    if (!RESERVATION_CHANGES.has(event.type) || event.userId !== caller.userId || !event.reservationId)
      return undefined;
    return deliver(change, { __typename: 'Reservation', id: event.reservationId });
  });
}

export function ticketChangedBy(event: EventEnvelope): string | undefined {
  return TICKET_CHANGES.has(event.type) ? event.ticketId : undefined;
}
