/**
 * The board tables' rows three ways: typed as Prisma's generated models (Prisma owns the schema),
 * as SQL reads and writes them, and as the domain's entries. Reads and writes share one column
 * list per table, so a row goes out and comes back in the same shape.
 */
import type { Prisma } from '../../../prisma/view/client/client.ts';
import type { ReservationEntry, TicketEntry } from '../domain/board.ts';

export type TicketRow = Prisma.TicketEntryModel;
export type ReservationRow = Prisma.ReservationEntryModel;

/** A value as SQLite takes it: the schema's DATETIME columns hold text. */
export type StoredValue = string | number | null;

/**
 * How Prisma's SQLite adapter stores a DateTime, kept so that a store stays readable by Prisma's
 * tools: ISO 8601 text with `+00:00`, so text order is time order and a cursor's time is compared
 * in the same form (board-queries.test.ts checks it).
 */
export function storedTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** One table's columns under their Prisma field names, and which of them are times. */
export interface RowColumns<Row> {
  table: string;
  /** Field → column, in the order every INSERT lists them. */
  columns: Record<keyof Row & string, string>;
  times: readonly (keyof Row & string)[];
}

export const TICKET_ROW: RowColumns<TicketRow> = {
  table: 'ticket_entry',
  columns: {
    ticketId: 'ticket_id',
    name: 'name',
    startsAt: 'starts_at',
    expiresAt: 'expires_at',
    registeredAt: 'registered_at',
    state: 'state',
    heldBy: 'held_by',
    heldAt: 'held_at',
    currency: 'currency',
    basePrice: 'base_price',
    policyDiscount: 'policy_discount',
    vipDiscount: 'vip_discount',
    finalPrice: 'final_price',
    pricedAt: 'priced_at',
    updatedAt: 'updated_at',
  },
  times: ['startsAt', 'expiresAt', 'registeredAt', 'heldAt', 'pricedAt', 'updatedAt'],
};

export const RESERVATION_ROW: RowColumns<ReservationRow> = {
  table: 'reservation_entry',
  columns: {
    reservationId: 'reservation_id',
    ticketId: 'ticket_id',
    userId: 'user_id',
    ticketName: 'ticket_name',
    userGrade: 'user_grade',
    status: 'status',
    reservedAt: 'reserved_at',
    cancelledAt: 'cancelled_at',
    currency: 'currency',
    listPrice: 'list_price',
    vipState: 'vip_state',
    vipDiscount: 'vip_discount',
    updatedAt: 'updated_at',
  },
  times: ['reservedAt', 'cancelledAt', 'updatedAt'],
};

/** `column AS "field", …`: rows come back under the field names. */
export function selectList<Row>({ columns }: RowColumns<Row>): string {
  return Object.entries<string>(columns)
    .map(([field, column]) => `${column} AS "${field}"`)
    .join(', ');
}

/** A row read with `selectList`: SQLite returns times as text; the row types have Dates. */
export function rowFrom<Row>({ times }: RowColumns<Row>, row: Record<string, unknown>): Row {
  for (const field of times) {
    const value = row[field];
    if (typeof value === 'string') row[field] = new Date(value);
  }
  return row as Row;
}

/** `INSERT OR REPLACE` of a whole row: the entry replaces what the store had, as one. */
export function replaceStatement<Row>({ table, columns }: RowColumns<Row>): string {
  const names = Object.values<string>(columns);
  return `INSERT OR REPLACE INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
}

/** The values of `replaceStatement`, in its column order. */
export function valuesOf<Row>({ columns }: RowColumns<Row>, row: Row): StoredValue[] {
  return Object.keys(columns).map((field) => {
    const value = row[field as keyof Row] as Date | StoredValue;
    return value instanceof Date ? storedTimestamp(value) : value;
  });
}

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
