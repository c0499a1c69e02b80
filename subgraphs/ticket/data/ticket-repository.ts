import type { Prisma, Ticket as TicketRow } from '../../../prisma/ticket/client/client.ts';
import { recordBatchInInbox, recordInInbox } from '../../../platform/events/inbox.ts';
import { type KeyedReads, type KeyedStatement } from '../../../platform/database/keyed-reads.ts';
import { appendToOutboxFrom } from '../../../platform/database/outbox-sql.ts';
import { appendToOutbox, outboxColumns } from '../../../platform/events/outbox.ts';
import { keysetScan, type PageRequest } from '../../../platform/pagination.ts';
import type { NewTicket, TicketRepository } from '../domain/ports.ts';
import type { Ticket, TicketStatus } from '../domain/ticket.ts';
import type { TicketDatabase } from './prisma.ts';

function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    name: row.name,
    startsAt: row.startsAt,
    expiresAt: row.expiresAt,
    state: row.state,
    heldBy: row.heldBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function statusFilter(status: TicketStatus | undefined, now: Date): Prisma.TicketWhereInput {
  switch (status) {
    case 'AVAILABLE':
      return { state: 'AVAILABLE', expiresAt: { gt: now } };
    case 'EXPIRED':
      return { state: 'AVAILABLE', expiresAt: { lte: now } };
    case 'RESERVED':
      return { state: 'RESERVED' };
    default:
      return {};
  }
}

/** A ticket as raw SQL reads it. */
interface TicketSqlRow {
  id: string;
  name: string;
  starts_at: Date;
  expires_at: Date;
  state: TicketRow['state'];
  held_by: string | null;
  created_at: Date;
  updated_at: Date;
}

function fromSqlRow(row: TicketSqlRow): Ticket {
  return {
    id: row.id,
    name: row.name,
    startsAt: row.starts_at,
    expiresAt: row.expires_at,
    state: row.state,
    heldBy: row.held_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What the one-statement hold reports (raw SQL). */
interface HoldRow {
  held: boolean;
  hold_closed: boolean;
  state: TicketRow['state'] | null;
  held_by: string | null;
  expires_at: Date | null;
}

/**
 * Closes the holds of ended reservations, in reservation order (two batches never wait for each
 * other in a cycle): $1 the tickets, $2 the reservations, in the same order. A hold claiming one of
 * these records in a concurrent transaction is waited for, so the release that follows (a
 * statement of its own) sees that hold's commit and gives the ticket back.
 */
const CLOSE_HOLDS = `INSERT INTO hold_record (reservation_id, ticket_id, closed_at)
  SELECT DISTINCT ON (reservation_id) reservation_id, ticket_id, now()
  FROM unnest($1::uuid[], $2::uuid[]) AS x(ticket_id, reservation_id)
  ORDER BY reservation_id
  ON CONFLICT (reservation_id) DO UPDATE SET closed_at = coalesce(hold_record.closed_at, now())`;

/**
 * Releases the tickets that the ended reservations still hold, with a TicketReleased row in the
 * outbox for each ticket released: $1, $2 the tickets and reservations, then the released events'
 * outbox columns, all in the same order.
 */
const RELEASE_HELD = `WITH ended AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
      AS x(ticket_id, reservation_id, event_id, type, subject, envelope, occurred_at)
  ), released AS (
    UPDATE ticket t SET state = 'AVAILABLE', held_by = NULL, updated_at = now() FROM ended e
    WHERE t.id = e.ticket_id AND t.state = 'RESERVED' AND t.held_by = e.reservation_id
    RETURNING e.event_id
  )
  INSERT INTO outbox_event (id, type, subject, envelope, occurred_at)
  SELECT e.event_id, e.type, e.subject, e.envelope::jsonb, e.occurred_at FROM ended e JOIN released r USING (event_id)`;

// Keyed look-ups: every federated read that reaches a ticket runs the second (`_entities`).
const TICKET_BY_ID: KeyedStatement = {
  name: 'ticket_by_id',
  text: 'SELECT id, name, starts_at, expires_at, state, held_by, created_at, updated_at FROM ticket WHERE id = $1::uuid',
};
const TICKETS_BY_IDS: KeyedStatement = {
  name: 'tickets_by_ids',
  text: 'SELECT id, name, starts_at, expires_at, state, held_by, created_at, updated_at FROM ticket WHERE id = ANY($1::uuid[])',
};

/**
 * @param afterCommit called after a transaction that wrote outbox events commits (wakes the relay)
 * @param reads the pool's keyed reads (platform/database/keyed-reads.ts), for the look-ups every federated read runs
 */
export function createTicketRepository(
  db: TicketDatabase,
  afterCommit: () => void,
  reads: KeyedReads,
): TicketRepository {
  return {
    async register(ticket: NewTicket, registered) {
      const row = await db.$transaction(async (tx) => {
        const created = await tx.ticket.create({ data: ticket });
        await appendToOutbox(tx, registered);
        return created;
      });
      afterCommit();
      return toTicket(row);
    },

    async findById(id) {
      const [row] = await reads<TicketSqlRow>(TICKET_BY_ID, [id]);
      return row ? fromSqlRow(row) : null;
    },

    async findByIds(ids) {
      const rows = await reads<TicketSqlRow>(TICKETS_BY_IDS, [ids]);
      return rows.map(fromSqlRow);
    },

    async list(filter, page: PageRequest) {
      const { cursor } = page;
      const { order, beyond } = keysetScan(page, 'asc');
      const rows = await db.ticket.findMany({
        where: {
          AND: [
            statusFilter(filter.status, filter.now),
            cursor
              ? { OR: [{ createdAt: { [beyond]: cursor.at } }, { createdAt: cursor.at, id: { [beyond]: cursor.id } }] }
              : {},
          ],
        },
        orderBy: [{ createdAt: order }, { id: order }],
        take: page.size + 1,
      });
      return rows.map(toTicket);
    },

    count: () => db.ticket.count(),

    async holdIfAvailable(ticketId, reservationId, now, held) {
      // One statement, so one round trip and atomic without an interactive transaction:
      // - `claim` takes the reservation's hold record only while it is open; a closure committed
      //   or in progress is seen (ON CONFLICT waits for it and reads the latest row), so a closed
      //   reservation never holds. It is attempted only while the ticket looks available.
      // - `taken` is the conditional UPDATE: of any number of concurrent holds exactly one matches
      //   (the others wait for its row lock and find the ticket RESERVED).
      // - `appended` writes the TicketHeld event only with the hold.
      const [row] = await db.$queryRaw<HoldRow[]>`
        WITH seen AS (
          SELECT state, held_by, expires_at FROM ticket WHERE id = ${ticketId}::uuid
        ), claim AS (
          INSERT INTO hold_record (reservation_id, ticket_id)
          SELECT ${reservationId}::uuid, ${ticketId}::uuid FROM seen
          WHERE seen.state = 'AVAILABLE' AND seen.expires_at > ${now}
          ON CONFLICT (reservation_id) DO UPDATE SET ticket_id = hold_record.ticket_id
          WHERE hold_record.closed_at IS NULL
          RETURNING reservation_id
        ), taken AS (
          UPDATE ticket SET state = 'RESERVED', held_by = ${reservationId}::uuid, updated_at = ${now}
          WHERE id = ${ticketId}::uuid AND state = 'AVAILABLE' AND expires_at > ${now}
            AND EXISTS (SELECT 1 FROM claim)
          RETURNING id
        ), appended AS (
          ${appendToOutboxFrom('taken', held)}
        )
        SELECT EXISTS (SELECT 1 FROM taken) AS held,
               EXISTS (SELECT 1 FROM hold_record WHERE reservation_id = ${reservationId}::uuid AND closed_at IS NOT NULL)
                 AS hold_closed,
               seen.state, seen.held_by, seen.expires_at
        FROM (SELECT 1) AS one LEFT JOIN seen ON true`;
      if (row!.held) {
        afterCommit();
        return { held: true };
      }
      const ticket = row!.state ? { state: row!.state, heldBy: row!.held_by, expiresAt: row!.expires_at! } : null;
      const looksAvailable = ticket?.state === 'AVAILABLE' && ticket.expiresAt.getTime() > now.getTime();
      return {
        held: false,
        ticket,
        holdClosed: row!.hold_closed,
        // It looked available, yet nothing was held: a concurrent hold or closure came first.
        contended: looksAvailable && !row!.hold_closed,
      };
    },

    async releaseIfHeldBy(ticketId, reservationId, released, options = {}) {
      if (!options.cause && !options.close) {
        // Nothing to record first: one statement releases and appends the event.
        const count = await db.$executeRaw`
          WITH freed AS (
            UPDATE ticket SET state = 'AVAILABLE', held_by = NULL, updated_at = now()
            WHERE id = ${ticketId}::uuid AND state = 'RESERVED' AND held_by = ${reservationId}::uuid
            RETURNING id
          )
          ${appendToOutboxFrom('freed', released)}`;
        if (count > 0) afterCommit();
        return count > 0;
      }
      const didRelease = await db.$transaction(async (tx) => {
        if (options.cause && !(await recordInInbox(tx, options.cause))) return false;
        if (options.close) {
          // First, and in a statement of its own: this waits for a hold claiming the same record,
          // so the release below (a new statement) sees that hold's commit and gives it back.
          await tx.$executeRaw`
            INSERT INTO hold_record (reservation_id, ticket_id, closed_at)
            VALUES (${reservationId}::uuid, ${ticketId}::uuid, now())
            ON CONFLICT (reservation_id) DO UPDATE SET closed_at = coalesce(hold_record.closed_at, now())`;
        }
        const { count } = await tx.ticket.updateMany({
          where: { id: ticketId, state: 'RESERVED', heldBy: reservationId },
          data: { state: 'AVAILABLE', heldBy: null },
        });
        if (count === 1) await appendToOutbox(tx, released);
        return count === 1;
      });
      if (didRelease) afterCommit();
      return didRelease;
    },

    async closeHoldsOfEndedReservations(ends) {
      const releasedAny = await db.$transaction(async (tx) => {
        const fresh = await recordBatchInInbox(
          tx,
          ends.map((end) => end.cause),
        );
        const todo = ends.filter((end) => fresh.delete(end.cause.id));
        if (todo.length === 0) return false;
        const tickets = todo.map((end) => end.ticketId);
        const reservations = todo.map((end) => end.reservationId);
        await tx.$executeRawUnsafe(CLOSE_HOLDS, tickets, reservations);
        // The tickets' row locks in one order for every transaction: no deadlock between two batches.
        await tx.$queryRawUnsafe('SELECT id FROM ticket WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', tickets);
        const released = await tx.$executeRawUnsafe(
          RELEASE_HELD,
          tickets,
          reservations,
          ...outboxColumns(todo.map((end) => end.released)),
        );
        return released > 0;
      });
      if (releasedAny) afterCommit();
    },
  };
}
