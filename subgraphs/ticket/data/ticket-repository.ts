import type { Ticket as TicketRow } from '../../../prisma/ticket/client/client.ts';
import type { Prisma } from '../../../prisma/ticket/client/client.ts';
import { recordBatchInInbox, recordInInbox } from '../../../platform/events/inbox.ts';
import { appendToOutbox, outboxColumns } from '../../../platform/events/outbox.ts';
import type { PageRequest } from '../../../platform/pagination.ts';
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

/**
 * Closes the holds of ended reservations and releases the tickets they still hold, with a
 * TicketReleased row in the outbox for each ticket released: $1, $2 the tickets and reservations,
 * then the released events' outbox columns, all in the same order.
 */
const CLOSE_AND_RELEASE = `WITH ended AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
      AS x(ticket_id, reservation_id, event_id, type, subject, envelope, occurred_at)
  ), closed AS (
    INSERT INTO closed_hold (reservation_id, ticket_id) SELECT reservation_id, ticket_id FROM ended
    ON CONFLICT (reservation_id) DO NOTHING
  ), released AS (
    UPDATE ticket t SET state = 'AVAILABLE', held_by = NULL, updated_at = now() FROM ended e
    WHERE t.id = e.ticket_id AND t.state = 'RESERVED' AND t.held_by = e.reservation_id
    RETURNING e.event_id
  )
  INSERT INTO outbox_event (id, type, subject, envelope, occurred_at)
  SELECT e.event_id, e.type, e.subject, e.envelope::jsonb, e.occurred_at FROM ended e JOIN released r USING (event_id)`;

/**
 * @param afterCommit called after a transaction that wrote outbox events commits (wakes the relay)
 */
export function createTicketRepository(db: TicketDatabase, afterCommit: () => void): TicketRepository {
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
      const row = await db.ticket.findUnique({ where: { id } });
      return row ? toTicket(row) : null;
    },

    async findByIds(ids) {
      const rows = await db.ticket.findMany({ where: { id: { in: [...ids] } } });
      return rows.map(toTicket);
    },

    async list(filter, page: PageRequest) {
      const after = page.after;
      const rows = await db.ticket.findMany({
        where: {
          AND: [
            statusFilter(filter.status, filter.now),
            after ? { OR: [{ createdAt: { gt: after.at } }, { createdAt: after.at, id: { gt: after.id } }] } : {},
          ],
        },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: page.first + 1,
      });
      return rows.map(toTicket);
    },

    count: () => db.ticket.count(),

    async holdIfAvailable(ticketId, reservationId, now, held) {
      const won = await db.$transaction(async (tx) => {
        // The row lock orders this hold after any release that is closing the same reservation's
        // hold, so the closed-hold check below (a new statement) sees that release's commit.
        await tx.$queryRawUnsafe('SELECT id FROM ticket WHERE id = $1::uuid FOR UPDATE', ticketId);
        if (await tx.closedHold.findUnique({ where: { reservationId } })) return false;
        // One conditional UPDATE: of any number of concurrent holds exactly one matches.
        const { count } = await tx.ticket.updateMany({
          where: { id: ticketId, state: 'AVAILABLE', expiresAt: { gt: now } },
          data: { state: 'RESERVED', heldBy: reservationId },
        });
        if (count === 1) await appendToOutbox(tx, held);
        return count === 1;
      });
      if (won) afterCommit();
      return won;
    },

    async releaseIfHeldBy(ticketId, reservationId, released, options = {}) {
      const didRelease = await db.$transaction(async (tx) => {
        if (options.cause && !(await recordInInbox(tx, options.cause))) return false;
        if (options.close) {
          await tx.$queryRawUnsafe('SELECT id FROM ticket WHERE id = $1::uuid FOR UPDATE', ticketId);
          await tx.closedHold.upsert({ where: { reservationId }, create: { reservationId, ticketId }, update: {} });
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
        // As in releaseIfHeldBy: the row locks first, so a hold of one of these reservations either
        // committed before (and is released below, in a later statement) or waits and then finds
        // its hold closed. One order for every transaction: no deadlock between two batches.
        await tx.$queryRawUnsafe(
          'SELECT id FROM ticket WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
          todo.map((end) => end.ticketId),
        );
        const released = await tx.$executeRawUnsafe(
          CLOSE_AND_RELEASE,
          todo.map((end) => end.ticketId),
          todo.map((end) => end.reservationId),
          ...outboxColumns(todo.map((end) => end.released)),
        );
        return released > 0;
      });
      if (releasedAny) afterCommit();
    },

    async isHoldClosed(reservationId) {
      return (await db.closedHold.findUnique({ where: { reservationId } })) !== null;
    },
  };
}
