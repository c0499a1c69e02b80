/**
 * The board tables' rows as Prisma models and the domain's entries, one to the other: the
 * projector writes and reloads entries through Prisma, the boards read them with SQL
 * (board-queries.ts) into the same row shape.
 */
import type { Prisma } from '../../../prisma/view/client/client.ts';
import type { ReservationEntry, TicketEntry } from '../domain/board.ts';

export type TicketRow = Prisma.TicketEntryModel;
export type ReservationRow = Prisma.ReservationEntryModel;

export function toTicketEntry(row: TicketRow): TicketEntry {
  const { currency, basePrice, policyDiscount, vipDiscount, finalPrice, pricedAt } = row;
  const priced =
    currency !== null &&
    basePrice !== null &&
    policyDiscount !== null &&
    vipDiscount !== null &&
    finalPrice !== null &&
    pricedAt !== null;
  return {
    ticketId: row.ticketId,
    name: row.name,
    startsAt: row.startsAt,
    expiresAt: row.expiresAt,
    registeredAt: row.registeredAt,
    state: row.state,
    heldBy: row.heldBy,
    heldAt: row.heldAt,
    price: priced ? { currency, basePrice, policyDiscount, vipDiscount, finalPrice, pricedAt } : null,
    updatedAt: row.updatedAt,
  };
}

export function toTicketRow(entry: TicketEntry): TicketRow {
  const { price } = entry;
  return {
    ticketId: entry.ticketId,
    name: entry.name,
    startsAt: entry.startsAt,
    expiresAt: entry.expiresAt,
    registeredAt: entry.registeredAt,
    state: entry.state,
    heldBy: entry.heldBy,
    heldAt: entry.heldAt,
    currency: price?.currency ?? null,
    basePrice: price?.basePrice ?? null,
    policyDiscount: price?.policyDiscount ?? null,
    vipDiscount: price?.vipDiscount ?? null,
    finalPrice: price?.finalPrice ?? null,
    pricedAt: price?.pricedAt ?? null,
    updatedAt: entry.updatedAt,
  };
}

export function toReservationEntry(row: ReservationRow): ReservationEntry {
  return {
    reservationId: row.reservationId,
    ticketId: row.ticketId,
    userId: row.userId,
    ticketName: row.ticketName,
    userGrade: row.userGrade,
    status: row.status,
    reservedAt: row.reservedAt,
    cancelledAt: row.cancelledAt,
    currency: row.currency,
    listPrice: row.listPrice,
    vip:
      row.vipState === 'APPLIED'
        ? { state: 'APPLIED', discount: row.vipDiscount ?? 0 }
        : row.vipState === 'REVERTED'
          ? { state: 'REVERTED' }
          : null,
    updatedAt: row.updatedAt,
  };
}

export function toReservationRow(entry: ReservationEntry): ReservationRow {
  return {
    reservationId: entry.reservationId,
    ticketId: entry.ticketId,
    userId: entry.userId,
    ticketName: entry.ticketName,
    userGrade: entry.userGrade,
    status: entry.status,
    reservedAt: entry.reservedAt,
    cancelledAt: entry.cancelledAt,
    currency: entry.currency,
    listPrice: entry.listPrice,
    vipState: entry.vip?.state ?? null,
    vipDiscount: entry.vip?.state === 'APPLIED' ? entry.vip.discount : null,
    updatedAt: entry.updatedAt,
  };
}
