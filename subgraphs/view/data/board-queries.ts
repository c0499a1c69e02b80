/**
 * The boards' reads: prepared SQL statements on the store's connection (libSQL's synchronous
 * driver). The boards are the view's whole reason to exist and its hot path; through Prisma,
 * building each query took most of the view's CPU per read (the query compiler and the driver
 * adapter, `npm run bench`, entry view-vs-federated).
 *
 * A board read is one indexed range scan of at most `first + 1` rows of a local file: microseconds,
 * so running it synchronously costs less than the promise machinery of an asynchronous driver. A
 * batch of events is applied synchronously too, in one transaction, so a read never sees half of one.
 */
import type Database from 'libsql';
import { keysetScan, type PageRequest, type SortOrder } from '../../../platform/pagination.ts';
import type { TicketStatus } from '../domain/board.ts';
import type { BoardReader } from '../domain/ports.ts';
import {
  RESERVATION_ROW,
  rowFrom,
  selectList,
  storedTimestamp,
  TICKET_ROW,
  toReservationEntry,
  toTicketEntry,
} from './entry-rows.ts';

const TICKET_COLUMNS = selectList(TICKET_ROW);
const RESERVATION_COLUMNS = selectList(RESERVATION_ROW);

const STATUS_CONDITIONS: Record<TicketStatus | 'ANY', { sql: string; usesNow: boolean }> = {
  ANY: { sql: '', usesNow: false },
  AVAILABLE: { sql: "AND state = 'AVAILABLE' AND expires_at > ?", usesNow: true },
  EXPIRED: { sql: "AND state = 'AVAILABLE' AND expires_at <= ?", usesNow: true },
  RESERVED: { sql: "AND state = 'RESERVED'", usesNow: false },
};

export function boardQueries(db: Database.Database): BoardReader {
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
      const keyset = keysetSql(page, 'asc', 'registered_at', 'ticket_id');
      const statement = prepared(
        `ticketBoard:${statusName}:${keyset.shape}`,
        () => `
        SELECT ${TICKET_COLUMNS} FROM ticket_entry
        WHERE registered_at IS NOT NULL AND name IS NOT NULL ${status.sql}
          ${keyset.condition}
        ORDER BY ${keyset.orderBy}
        LIMIT ?`,
      );
      const rows = statement.all(
        ...(status.usesNow ? [storedTimestamp(filter.now)] : []),
        ...keyset.parameters,
        page.size + 1,
      ) as Record<string, unknown>[];
      return rows.map((row) => toTicketEntry(rowFrom(TICKET_ROW, row)));
    },

    async ticketEntry(ticketId) {
      const statement = prepared('ticketEntry', () => `SELECT ${TICKET_COLUMNS} FROM ticket_entry WHERE ticket_id = ?`);
      const row = statement.get(ticketId) as Record<string, unknown> | undefined;
      return row ? toTicketEntry(rowFrom(TICKET_ROW, row)) : null;
    },

    async reservationBoard(userId, page: PageRequest) {
      const keyset = keysetSql(page, 'desc', 'reserved_at', 'reservation_id');
      const statement = prepared(
        `reservationBoard:${keyset.shape}`,
        () => `
        SELECT ${RESERVATION_COLUMNS} FROM reservation_entry
        WHERE user_id = ? AND reserved_at IS NOT NULL AND user_grade IS NOT NULL
          ${keyset.condition}
        ORDER BY ${keyset.orderBy}
        LIMIT ?`,
      );
      const rows = statement.all(userId, ...keyset.parameters, page.size + 1) as Record<string, unknown>[];
      return rows.map((row) => toReservationEntry(rowFrom(RESERVATION_ROW, row)));
    },

    async entityById(id) {
      // Only what the boards show counts: a ticket once registered, a reservation once reserved.
      const statement = prepared(
        'entityById',
        () => `
        SELECT 'Ticket' AS kind, ticket_id AS id, NULL AS user_id FROM ticket_entry
        WHERE ticket_id = ? AND registered_at IS NOT NULL AND name IS NOT NULL
        UNION ALL
        SELECT 'Reservation' AS kind, reservation_id AS id, user_id FROM reservation_entry
        WHERE reservation_id = ? AND reserved_at IS NOT NULL AND user_id IS NOT NULL`,
      );
      const row = statement.get(id, id) as
        { kind: 'Ticket' | 'Reservation'; id: string; user_id: string | null } | undefined;
      if (!row) return null;
      return row.kind === 'Ticket'
        ? { kind: 'Ticket', id: row.id }
        : { kind: 'Reservation', id: row.id, userId: row.user_id! };
    },
  };
}

/**
 * The keyset part of a board read, for a board sorted in `order` by `atColumn` then `idColumn`:
 * the condition on the cursor (if any), the order to read in, its parameters, and a short name
 * of its shape for the statement cache.
 */
function keysetSql(
  page: PageRequest,
  order: SortOrder,
  atColumn: string,
  idColumn: string,
): { shape: string; condition: string; orderBy: string; parameters: unknown[] } {
  const scan = keysetScan(page, order);
  const op = scan.beyond === 'gt' ? '>' : '<';
  const direction = scan.order.toUpperCase();
  const { cursor } = page;
  const at = cursor && storedTimestamp(cursor.at);
  return {
    shape: `${scan.order}:${cursor ? 'cursor' : 'edge'}`,
    condition: cursor ? `AND (${atColumn} ${op} ? OR (${atColumn} = ? AND ${idColumn} ${op} ?))` : '',
    orderBy: `${atColumn} ${direction}, ${idColumn} ${direction}`,
    parameters: cursor ? [at, at, cursor.id] : [],
  };
}
