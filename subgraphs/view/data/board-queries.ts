/**
 * The boards' reads: prepared SQL statements on a connection of their own, through libSQL's
 * synchronous driver rather than Prisma. The boards are the view's whole reason to exist and its
 * hot path; through Prisma, building each query took most of the view's CPU per read (the query
 * compiler and the driver adapter, `npm run bench`, entry view-vs-federated). Prisma still owns
 * the store's schema, its migrations and every write.
 *
 * A board read is one indexed range scan of at most `first + 1` rows of a local file: microseconds,
 * so running it synchronously costs less than the promise machinery of an asynchronous driver. In
 * WAL mode it never waits for the projector's writes and sees only committed batches.
 */
import Database from 'libsql';
import type { PageRequest } from '../../../platform/pagination.ts';
import type { TicketStatus } from '../domain/board.ts';
import type { BoardReader } from '../domain/ports.ts';
import { toReservationEntry, toTicketEntry, type ReservationRow, type TicketRow } from './entry-rows.ts';

/** How long a read waits for a lock (a WAL checkpoint, in rare cases) before failing, in ms. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * How Prisma's SQLite driver adapter stores a DateTime: ISO 8601 text with `+00:00`, so text order
 * is time order and a cursor's time is compared in the same form (board-queries.test.ts checks it).
 */
export function storedTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+00:00');
}

/** Columns under their Prisma field names, so rows map to entries as the projector's do. */
const TICKET_COLUMNS = columns({
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
} satisfies Record<keyof TicketRow, string>);
const RESERVATION_COLUMNS = columns({
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
} satisfies Record<keyof ReservationRow, string>);

const TICKET_TIMES = ['startsAt', 'expiresAt', 'registeredAt', 'heldAt', 'pricedAt', 'updatedAt'] as const;
const RESERVATION_TIMES = ['reservedAt', 'cancelledAt', 'updatedAt'] as const;

function columns(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([field, column]) => `${column} AS "${field}"`)
    .join(', ');
}

/** SQLite returns times as text; the row types (Prisma's) have Dates. */
function withTimes<Row>(row: Record<string, unknown>, times: readonly (keyof Row & string)[]): Row {
  for (const field of times) {
    const value = row[field];
    if (typeof value === 'string') row[field] = new Date(value);
  }
  return row as Row;
}

const STATUS_CONDITIONS: Record<TicketStatus | 'ANY', { sql: string; usesNow: boolean }> = {
  ANY: { sql: '', usesNow: false },
  AVAILABLE: { sql: "AND state = 'AVAILABLE' AND expires_at > ?", usesNow: true },
  EXPIRED: { sql: "AND state = 'AVAILABLE' AND expires_at <= ?", usesNow: true },
  RESERVED: { sql: "AND state = 'RESERVED'", usesNow: false },
};

export interface BoardQueries extends BoardReader {
  close(): void;
}

export function openBoardQueries(file: string): BoardQueries {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  db.exec('PRAGMA query_only = ON');
  // A few shapes of each board (with or without a cursor, by status): each prepared on first use,
  // found again by a short key rather than by its SQL text.
  const statements = new Map<string, Database.Statement>();
  const prepared = (key: string, sql: () => string) => {
    let statement = statements.get(key);
    if (!statement) {
      statement = db.prepare(sql());
      statements.set(key, statement);
    }
    return statement;
  };

  return {
    async ticketBoard(filter, page: PageRequest) {
      const statusName = filter.status ?? 'ANY';
      const status = STATUS_CONDITIONS[statusName];
      const { after } = page;
      const statement = prepared(
        `ticketBoard:${statusName}:${after ? 'after' : 'first'}`,
        () => `
        SELECT ${TICKET_COLUMNS} FROM ticket_entry
        WHERE registered_at IS NOT NULL AND name IS NOT NULL ${status.sql}
          ${after ? 'AND (registered_at > ? OR (registered_at = ? AND ticket_id > ?))' : ''}
        ORDER BY registered_at, ticket_id
        LIMIT ?`,
      );
      const at = after && storedTimestamp(after.at);
      const rows = statement.all(
        ...(status.usesNow ? [storedTimestamp(filter.now)] : []),
        ...(after ? [at, at, after.id] : []),
        page.first + 1,
      ) as Record<string, unknown>[];
      return rows.map((row) => toTicketEntry(withTimes<TicketRow>(row, TICKET_TIMES)));
    },

    async reservationBoard(userId, page: PageRequest) {
      const { after } = page;
      const statement = prepared(
        `reservationBoard:${after ? 'after' : 'first'}`,
        () => `
        SELECT ${RESERVATION_COLUMNS} FROM reservation_entry
        WHERE user_id = ? AND reserved_at IS NOT NULL AND user_grade IS NOT NULL
          ${after ? 'AND (reserved_at < ? OR (reserved_at = ? AND reservation_id < ?))' : ''}
        ORDER BY reserved_at DESC, reservation_id DESC
        LIMIT ?`,
      );
      const at = after && storedTimestamp(after.at);
      const rows = statement.all(userId, ...(after ? [at, at, after.id] : []), page.first + 1) as Record<
        string,
        unknown
      >[];
      return rows.map((row) => toReservationEntry(withTimes<ReservationRow>(row, RESERVATION_TIMES)));
    },

    close() {
      db.close();
    },
  };
}
