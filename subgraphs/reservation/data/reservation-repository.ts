import {
  type ReservationAttempt as AttemptRow,
  type Reservation as ReservationRow,
} from '../../../prisma/reservation/client/client.ts';
import type { KeyedReads, KeyedStatement } from '../../../platform/database/keyed-reads.ts';
import { appendToOutboxFrom } from '../../../platform/database/outbox-sql.ts';
import { appendToOutbox } from '../../../platform/events/outbox.ts';
import { keysetScan } from '../../../platform/pagination.ts';
import type { ReservationRepository } from '../domain/ports.ts';
import type { ReservationAttempt } from '../domain/reservation-attempt.ts';
import type { Reservation } from '../domain/reservation.ts';
import type { ReservationDatabase } from './prisma.ts';

/** A reservation as a raw statement returns it. */
interface ReservationSqlRow {
  id: string;
  ticket_id: string;
  user_id: string;
  user_grade: ReservationRow['userGrade'];
  status: ReservationRow['status'];
  reserved_at: Date;
  cancelled_at: Date | null;
}

function fromSqlRow(row: ReservationSqlRow): Reservation {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    userId: row.user_id,
    userGrade: row.user_grade,
    status: row.status,
    reservedAt: row.reserved_at,
    cancelledAt: row.cancelled_at,
  };
}

/** What a pending-attempt sweep returns (raw SQL: the row lock needs SKIP LOCKED). */
interface SweptRow {
  id: string;
  ticket_id: string;
  user_id: string;
  user_grade: AttemptRow['userGrade'];
  correlation_id: string;
}

// The keyed look-ups: every federated read starts with a user's reservations.
const RESERVATION_SELECT =
  'SELECT id, ticket_id, user_id, user_grade, status, reserved_at, cancelled_at FROM reservation';
const RESERVATION_BY_ID: KeyedStatement = {
  name: 'reservation_by_id',
  text: `${RESERVATION_SELECT} WHERE id = $1::uuid`,
};
const RESERVATIONS_BY_IDS: KeyedStatement = {
  name: 'reservations_by_ids',
  text: `${RESERVATION_SELECT} WHERE id = ANY($1::uuid[])`,
};

/**
 * A page of a user's reservations: one statement per shape (status filter or not, cursor or not,
 * direction), each prepared under its own name. `$1` the user, then the status, the cursor's
 * instant and id when present, and last the row limit.
 */
function reservationsByUser(status: boolean, cursor: boolean, scan: ReturnType<typeof keysetScan>): KeyedStatement {
  const conditions = ['user_id = $1'];
  let next = 2;
  if (status) conditions.push(`status = $${next++}::"ReservationStatus"`);
  if (cursor) {
    conditions.push(`(reserved_at, id) ${scan.beyond === 'gt' ? '>' : '<'} ($${next}, $${next + 1}::uuid)`);
    next += 2;
  }
  const order = scan.order === 'asc' ? 'ASC' : 'DESC';
  return {
    name: `reservations_by_user_${status ? 's' : ''}${cursor ? 'c' : ''}_${scan.order}`,
    text: `${RESERVATION_SELECT} WHERE ${conditions.join(' AND ')} ORDER BY reserved_at ${order}, id ${order} LIMIT $${next}`,
  };
}

/**
 * @param afterCommit called after a transaction that wrote outbox events commits (wakes the relay)
 * @param reads the pool's keyed reads (platform/database/keyed-reads.ts), for the look-ups every federated read runs
 */
export function createReservationRepository(
  db: ReservationDatabase,
  afterCommit: () => void,
  reads: KeyedReads,
): ReservationRepository {
  return {
    async startAttempt(attempt) {
      // Raw: nothing to read back, so no RETURNING and no query planning in the client.
      await db.$executeRaw`
        INSERT INTO reservation_attempt (id, ticket_id, user_id, user_grade, correlation_id)
        VALUES (${attempt.id}::uuid, ${attempt.ticketId}::uuid, ${attempt.userId}, ${attempt.userGrade}::"UserGrade",
                ${attempt.correlationId})`;
    },

    async confirm(reservation, reserved) {
      // One statement, so atomic without an interactive transaction (no wait for one under load):
      // deleting the attempt locks it, so a sweep running now either took it first (and nothing
      // is written here) or skips it.
      const rows = await db.$queryRaw<ReservationSqlRow[]>`
        WITH attempt AS (
          DELETE FROM reservation_attempt WHERE id = ${reservation.id}::uuid RETURNING id
        ), created AS (
          INSERT INTO reservation (id, ticket_id, user_id, user_grade, status, reserved_at, cancelled_at, updated_at)
          SELECT attempt.id, ${reservation.ticketId}::uuid, ${reservation.userId}, ${reservation.userGrade}::"UserGrade",
                 'CONFIRMED', ${reservation.reservedAt}, NULL, now()
          FROM attempt
          RETURNING id, ticket_id, user_id, user_grade, status, reserved_at, cancelled_at
        ), appended AS (
          ${appendToOutboxFrom('created', reserved)}
        )
        SELECT * FROM created`;
      const [row] = rows;
      if (!row) return null;
      afterCommit();
      return fromSqlRow(row);
    },

    async abandonAttempt(id, abandoned) {
      const appended = await db.$executeRaw`
        WITH attempt AS (DELETE FROM reservation_attempt WHERE id = ${id}::uuid RETURNING id)
        ${appendToOutboxFrom('attempt', abandoned)}`;
      if (appended > 0) afterCommit();
      return appended > 0;
    },

    async forgetAttempt(id) {
      await db.$executeRaw`DELETE FROM reservation_attempt WHERE id = ${id}::uuid`;
    },

    async abandonAttemptsOlderThan(olderThanMs, limit, abandonedEvent) {
      const attempts = await db.$transaction(async (tx) => {
        // The database's clock, not this replica's: every replica sweeps against the same time.
        const rows = await tx.$queryRaw<SweptRow[]>`
          DELETE FROM reservation_attempt
          WHERE id IN (
            SELECT id FROM reservation_attempt
            WHERE started_at < now() - ${olderThanMs}::int * interval '1 millisecond'
            ORDER BY started_at
            LIMIT ${limit}::int
            FOR UPDATE SKIP LOCKED
          )
          RETURNING id, ticket_id, user_id, user_grade, correlation_id`;
        const swept = rows.map((row): ReservationAttempt => ({
          id: row.id,
          ticketId: row.ticket_id,
          userId: row.user_id,
          userGrade: row.user_grade,
          correlationId: row.correlation_id,
        }));
        if (swept.length > 0) await appendToOutbox(tx, ...swept.map(abandonedEvent));
        return swept;
      });
      if (attempts.length > 0) afterCommit();
      return attempts;
    },

    async findById(id) {
      const [row] = await reads<ReservationSqlRow>(RESERVATION_BY_ID, [id]);
      return row ? fromSqlRow(row) : null;
    },

    async findByIds(ids) {
      const rows = await reads<ReservationSqlRow>(RESERVATIONS_BY_IDS, [ids]);
      return rows.map(fromSqlRow);
    },

    async listByUser(userId, status, page) {
      const { cursor } = page;
      const statement = reservationsByUser(status !== undefined, cursor !== undefined, keysetScan(page, 'desc'));
      const values: unknown[] = [userId];
      if (status !== undefined) values.push(status);
      if (cursor) values.push(cursor.at, cursor.id);
      values.push(page.size + 1);
      const rows = await reads<ReservationSqlRow>(statement, values);
      return rows.map(fromSqlRow);
    },

    async cancelIfConfirmed(id, at, cancelled) {
      // One statement: the conditional UPDATE and its event, atomic without a transaction.
      const [row] = await db.$queryRaw<ReservationSqlRow[]>`
        WITH cancelled AS (
          UPDATE reservation SET status = 'CANCELLED', cancelled_at = ${at}, updated_at = now()
          WHERE id = ${id}::uuid AND status = 'CONFIRMED'
          RETURNING id, ticket_id, user_id, user_grade, status, reserved_at, cancelled_at
        ), appended AS (
          ${appendToOutboxFrom('cancelled', cancelled)}
        )
        SELECT * FROM cancelled`;
      if (!row) return null;
      afterCommit();
      return fromSqlRow(row);
    },
  };
}

/** How many attempts are pending, and how long the oldest has waited (for metrics). */
export async function pendingAttemptStats(
  db: ReservationDatabase,
): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const [row] = await db.$queryRaw<{ pending: number; oldest_age_seconds: number | null }[]>`
    SELECT count(*)::int AS pending,
           extract(epoch FROM now() - min(started_at))::float8 AS oldest_age_seconds
    FROM reservation_attempt`;
  return { pending: row?.pending ?? 0, oldestAgeSeconds: row?.oldest_age_seconds ?? 0 };
}
