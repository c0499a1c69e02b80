/**
 * The boards as the view keeps them. An entry is built from events alone, so parts of it stay
 * unknown (null) until the event that carries them arrives — events may come in any order — and
 * an entry is shown only once the facts its board requires are known.
 */
export type TicketState = 'AVAILABLE' | 'RESERVED';
export type TicketStatus = 'AVAILABLE' | 'RESERVED' | 'EXPIRED';
export type UserGrade = 'NORMAL' | 'VIP';
export type ReservationStatus = 'CONFIRMED' | 'CANCELLED';

/** A ticket's price as the latest price event announced it. */
export interface PriceSnapshot {
  currency: string;
  basePrice: number;
  policyDiscount: number;
  vipDiscount: number;
  finalPrice: number;
  /** When the event announcing it occurred: an older announcement never replaces a newer one. */
  pricedAt: Date;
}

export interface TicketEntry {
  ticketId: string;
  name: string | null;
  startsAt: Date | null;
  expiresAt: Date | null;
  /** When TicketRegistered occurred: the ticket board's order. */
  registeredAt: Date | null;
  state: TicketState;
  /** The reservation of the latest TicketHeld (holding the ticket while it is RESERVED). */
  heldBy: string | null;
  /** When that TicketHeld occurred: an older hold arriving late never replaces it. */
  heldAt: Date | null;
  price: PriceSnapshot | null;
  /** When the latest event applied to this entry occurred. */
  updatedAt: Date;
}

/** A reservation's VIP discount: applied by the price subgraph, then possibly reverted. */
export type VipAdjustment = { state: 'APPLIED'; discount: number } | { state: 'REVERTED' };

export interface ReservationEntry {
  reservationId: string;
  ticketId: string;
  userId: string | null;
  ticketName: string | null;
  userGrade: UserGrade | null;
  status: ReservationStatus;
  /** When TicketReserved occurred: the reservation board's order. */
  reservedAt: Date | null;
  cancelledAt: Date | null;
  currency: string | null;
  /** The ticket's price before any VIP discount: base price minus the policy discount. */
  listPrice: number | null;
  vip: VipAdjustment | null;
  updatedAt: Date;
}

/** What the ticket board shows of one ticket. */
export interface TicketBoardEntry {
  ticketId: string;
  name: string;
  status: TicketStatus;
  startsAt: Date;
  expiresAt: Date;
  currency: string | null;
  basePrice: number | null;
  policyDiscount: number | null;
  vipDiscount: number | null;
  finalPrice: number | null;
  updatedAt: Date;
}

/** What the reservation board shows of one reservation, with what its user pays. */
export interface ReservationBoardEntry {
  reservationId: string;
  ticketId: string;
  ticketName: string | null;
  userId: string;
  userGrade: UserGrade;
  status: ReservationStatus;
  reservedAt: Date;
  cancelledAt: Date | null;
  currency: string | null;
  finalPrice: number | null;
  vipDiscount: number | null;
  updatedAt: Date;
}

/** Like the ticket subgraph: an AVAILABLE ticket past its expiry is EXPIRED; a reserved one stays RESERVED. */
export function statusOf(entry: Pick<TicketEntry, 'state'> & { expiresAt: Date }, now: Date): TicketStatus {
  if (entry.state === 'RESERVED') return 'RESERVED';
  return entry.expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : 'AVAILABLE';
}

/** The ticket board's view of an entry; null while its registration has not arrived. */
export function toTicketBoardEntry(entry: TicketEntry, now: Date): TicketBoardEntry | null {
  const { name, startsAt, expiresAt, registeredAt, price } = entry;
  if (name === null || startsAt === null || expiresAt === null || registeredAt === null) return null;
  return {
    ticketId: entry.ticketId,
    name,
    status: statusOf({ state: entry.state, expiresAt }, now),
    startsAt,
    expiresAt,
    currency: price?.currency ?? null,
    basePrice: price?.basePrice ?? null,
    policyDiscount: price?.policyDiscount ?? null,
    vipDiscount: price?.vipDiscount ?? null,
    finalPrice: price?.finalPrice ?? null,
    updatedAt: entry.updatedAt,
  };
}

/**
 * The reservation board's view of an entry; null until its TicketReserved has arrived. What the
 * user pays is the ticket's price with this reservation's own VIP discount while it is applied:
 * another user's discount on the same ticket never shows here.
 */
export function toReservationBoardEntry(entry: ReservationEntry): ReservationBoardEntry | null {
  const { userId, userGrade, reservedAt, listPrice } = entry;
  if (userId === null || userGrade === null || reservedAt === null) return null;
  const vipDiscount = listPrice === null ? null : entry.vip?.state === 'APPLIED' ? entry.vip.discount : 0;
  return {
    reservationId: entry.reservationId,
    ticketId: entry.ticketId,
    ticketName: entry.ticketName,
    userId,
    userGrade,
    status: entry.status,
    reservedAt,
    cancelledAt: entry.cancelledAt,
    currency: listPrice === null ? null : entry.currency,
    finalPrice: listPrice === null || vipDiscount === null ? null : listPrice - vipDiscount,
    vipDiscount,
    updatedAt: entry.updatedAt,
  };
}

/** An id the view knows from events: a registered ticket, or a reservation made by a user. */
export type KnownEntity = { kind: 'Ticket'; id: string } | { kind: 'Reservation'; id: string; userId: string };
