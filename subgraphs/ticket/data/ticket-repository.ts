import type { Ticket as TicketRow } from '../../../prisma/ticket/client/client.ts';
import type { Prisma } from '../../../prisma/ticket/client/client.ts';
import { recordInInbox } from '../../../platform/events/inbox.ts';
import { appendToOutbox } from '../../../platform/events/outbox.ts';
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

    async isHoldClosed(reservationId) {
      return (await db.closedHold.findUnique({ where: { reservationId } })) !== null;
    },
  };
}
