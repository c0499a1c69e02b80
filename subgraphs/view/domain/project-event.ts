/**
 * The projection: how each event changes the boards. Pure, so a live store, a rebuild from the
 * first event and a test all apply the same rules.
 *
 * Order tolerance: events may arrive in any order (several relays publish side by side, a view
 * catches up after its producers), so no rule depends on having seen another event first. What
 * arrives early waits in a partial entry; facts that can be superseded (a ticket's price, its
 * holder) keep when they occurred, and an older announcement never replaces a newer one; a
 * released hold or a reverted VIP discount leaves a tombstone, so its late original is ignored.
 * Applying an event twice changes nothing.
 */
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import type { PriceSnapshot, ReservationEntry, TicketEntry } from './board.ts';

/** Everything the view knows about one ticket: the unit one event changes. */
export interface TicketSlice {
  ticketId: string;
  ticket: TicketEntry | null;
  /** Every reservation entry of this ticket. */
  reservations: readonly ReservationEntry[];
  /** Reservations whose hold on this ticket was released. */
  releasedHolds: readonly string[];
}

export function emptySlice(ticketId: string): TicketSlice {
  return { ticketId, ticket: null, reservations: [], releasedHolds: [] };
}

/**
 * Applies one event to the slice of its ticket. Entries that do not change keep their identity,
 * so a store writes back only what changed.
 */
export function applyEvent(slice: TicketSlice, event: EventEnvelope): TicketSlice {
  const at = new Date(event.occurredAt);
  switch (event.type) {
    case 'TicketRegistered': {
      const { name, startsAt, expiresAt } = event.data;
      const registered = changeTicket(slice, at, (ticket) => ({
        name,
        startsAt: new Date(startsAt),
        expiresAt: new Date(expiresAt),
        registeredAt: ticket.registeredAt ?? at,
      }));
      return changeEveryReservation(registered, at, () => ({ ticketName: name }));
    }
    case 'TicketHeld':
      return event.reservationId ? holdTicket(slice, event.reservationId, at) : slice;
    case 'TicketReleased':
      return event.reservationId ? releaseTicket(slice, event.reservationId, at) : slice;
    case 'TicketReserved': {
      const { reservationId, userId } = event;
      if (!reservationId) return slice;
      return changeReservation(slice, reservationId, userId, at, (reservation) => ({
        userId: reservation.userId ?? userId ?? null,
        userGrade: event.data.userGrade,
        reservedAt: reservation.reservedAt ?? at,
      }));
    }
    case 'ReservationCancelled': {
      const { reservationId, userId } = event;
      if (!reservationId) return slice;
      return changeReservation(slice, reservationId, userId, at, (reservation) => ({
        userId: reservation.userId ?? userId ?? null,
        userGrade: reservation.userGrade ?? event.data.userGrade,
        status: 'CANCELLED',
        cancelledAt: reservation.cancelledAt ?? at,
      }));
    }
    case 'PriceAssigned':
      return priceTicket(slice, snapshotOf(event.data, at));
    case 'VipDiscountApplied': {
      const priced = priceTicket(slice, snapshotOf(event.data, at));
      const { reservationId, userId } = event;
      if (!reservationId) return priced;
      return changeReservation(priced, reservationId, userId, at, (reservation) =>
        reservation.vip?.state === 'REVERTED' ? {} : { vip: { state: 'APPLIED', discount: event.data.vipDiscount } },
      );
    }
    case 'VipDiscountReverted': {
      const priced = priceTicket(slice, snapshotOf(event.data, at));
      const { reservationId, userId } = event;
      if (!reservationId) return priced;
      return changeReservation(priced, reservationId, userId, at, () => ({ vip: { state: 'REVERTED' } }));
    }
    default:
      return slice;
  }
}

/** What a batch of events changed: the entries and tombstones a store writes back. */
export interface BoardChanges {
  tickets: TicketEntry[];
  reservations: ReservationEntry[];
  releasedHolds: { reservationId: string; ticketId: string }[];
}

/**
 * Applies events in order to the slices of their tickets (which must all be given) and returns
 * what changed. Events without a ticket concern no board.
 */
export function applyEvents(slices: readonly TicketSlice[], events: readonly EventEnvelope[]): BoardChanges {
  const current = new Map(slices.map((slice) => [slice.ticketId, slice]));
  for (const event of events) {
    const slice = event.ticketId ? current.get(event.ticketId) : undefined;
    if (slice) current.set(slice.ticketId, applyEvent(slice, event));
  }
  const changes: BoardChanges = { tickets: [], reservations: [], releasedHolds: [] };
  for (const before of slices) {
    const after = current.get(before.ticketId) ?? before;
    if (after.ticket && after.ticket !== before.ticket) changes.tickets.push(after.ticket);
    changes.reservations.push(...after.reservations.filter((r) => !before.reservations.includes(r)));
    for (const reservationId of after.releasedHolds) {
      if (!before.releasedHolds.includes(reservationId)) {
        changes.releasedHolds.push({ reservationId, ticketId: before.ticketId });
      }
    }
  }
  return changes;
}

/** The latest TicketHeld decides who holds the ticket, unless that hold was released since. */
function holdTicket(slice: TicketSlice, reservationId: string, at: Date): TicketSlice {
  const released = slice.releasedHolds.includes(reservationId);
  return changeTicket(slice, at, (ticket) =>
    ticket.heldAt !== null && ticket.heldAt > at
      ? {}
      : { heldBy: reservationId, heldAt: at, state: released ? 'AVAILABLE' : 'RESERVED' },
  );
}

function releaseTicket(slice: TicketSlice, reservationId: string, at: Date): TicketSlice {
  const withTombstone = slice.releasedHolds.includes(reservationId)
    ? slice
    : { ...slice, releasedHolds: [...slice.releasedHolds, reservationId] };
  if (slice.ticket?.heldBy !== reservationId) return withTombstone;
  return changeTicket(withTombstone, at, () => ({ state: 'AVAILABLE' }));
}

/** Every price event carries the ticket's whole price; the one that occurred last is shown. */
function priceTicket(slice: TicketSlice, price: PriceSnapshot): TicketSlice {
  const current = slice.ticket?.price;
  if (current && current.pricedAt > price.pricedAt) return slice;
  const priced = changeTicket(slice, price.pricedAt, () => ({ price }));
  return changeEveryReservation(priced, price.pricedAt, () => ({
    currency: price.currency,
    listPrice: price.basePrice - price.policyDiscount,
  }));
}

function snapshotOf(
  data: { currency: string; basePrice: number; policyDiscount: number; vipDiscount: number; finalPrice: number },
  at: Date,
): PriceSnapshot {
  const { currency, basePrice, policyDiscount, vipDiscount, finalPrice } = data;
  return { currency, basePrice, policyDiscount, vipDiscount, finalPrice, pricedAt: at };
}

function changeTicket(
  slice: TicketSlice,
  at: Date,
  change: (ticket: TicketEntry) => Partial<TicketEntry>,
): TicketSlice {
  const current = slice.ticket ?? newTicketEntry(slice.ticketId, at);
  const changed = patch(current, change(current), at);
  return changed === slice.ticket ? slice : { ...slice, ticket: changed };
}

function changeReservation(
  slice: TicketSlice,
  reservationId: string,
  userId: string | undefined,
  at: Date,
  change: (reservation: ReservationEntry) => Partial<ReservationEntry>,
): TicketSlice {
  const existing = slice.reservations.find((r) => r.reservationId === reservationId);
  const current = existing ?? newReservationEntry(slice, reservationId, userId, at);
  const changed = patch(current, change(current), at);
  if (changed === existing) return slice;
  const others = slice.reservations.filter((r) => r !== existing);
  return { ...slice, reservations: [...others, changed] };
}

function changeEveryReservation(
  slice: TicketSlice,
  at: Date,
  change: (reservation: ReservationEntry) => Partial<ReservationEntry>,
): TicketSlice {
  const reservations = slice.reservations.map((r) => patch(r, change(r), at));
  return reservations.every((r, i) => r === slice.reservations[i]) ? slice : { ...slice, reservations };
}

function newTicketEntry(ticketId: string, at: Date): TicketEntry {
  return {
    ticketId,
    name: null,
    startsAt: null,
    expiresAt: null,
    registeredAt: null,
    state: 'AVAILABLE',
    heldBy: null,
    heldAt: null,
    price: null,
    updatedAt: at,
  };
}

/** A reservation first seen now takes what is known of its ticket. */
function newReservationEntry(
  slice: TicketSlice,
  reservationId: string,
  userId: string | undefined,
  at: Date,
): ReservationEntry {
  const price = slice.ticket?.price ?? null;
  return {
    reservationId,
    ticketId: slice.ticketId,
    userId: userId ?? null,
    ticketName: slice.ticket?.name ?? null,
    userGrade: null,
    status: 'CONFIRMED',
    reservedAt: null,
    cancelledAt: null,
    currency: price?.currency ?? null,
    listPrice: price ? price.basePrice - price.policyDiscount : null,
    vip: null,
    updatedAt: at,
  };
}

/**
 * The entry with `changes`, or the very same entry when they change nothing. `updatedAt` moves
 * to when the latest event that changed the entry occurred, whatever order they came in.
 */
function patch<T extends { updatedAt: Date }>(entry: T, changes: Partial<T>, at: Date): T {
  const keys = Object.keys(changes) as (keyof T)[];
  if (keys.every((key) => sameValue(entry[key], changes[key]))) return entry;
  return { ...entry, ...changes, updatedAt: entry.updatedAt > at ? entry.updatedAt : at };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return a === b;
}
