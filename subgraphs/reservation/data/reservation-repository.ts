import type { Reservation as ReservationRow } from '../../../prisma/reservation/client/client.ts';
import { appendToOutbox } from '../../../platform/events/outbox.ts';
import type { ReservationRepository } from '../domain/ports.ts';
import type { Reservation } from '../domain/reservation.ts';
import type { ReservationDatabase } from './prisma.ts';

function toReservation(row: ReservationRow): Reservation {
  return {
    id: row.id,
    ticketId: row.ticketId,
    userId: row.userId,
    userGrade: row.userGrade,
    status: row.status,
    reservedAt: row.reservedAt,
    cancelledAt: row.cancelledAt,
  };
}

/**
 * @param afterCommit called after a transaction that wrote outbox events commits (wakes the relay)
 */
export function createReservationRepository(db: ReservationDatabase, afterCommit: () => void): ReservationRepository {
  return {
    async create(reservation, reserved) {
      const row = await db.$transaction(async (tx) => {
        const created = await tx.reservation.create({ data: reservation });
        await appendToOutbox(tx, reserved);
        return created;
      });
      afterCommit();
      return toReservation(row);
    },

    async findById(id) {
      const row = await db.reservation.findUnique({ where: { id } });
      return row ? toReservation(row) : null;
    },

    async findByIds(ids) {
      const rows = await db.reservation.findMany({ where: { id: { in: [...ids] } } });
      return rows.map(toReservation);
    },

    async listByUser(userId, status, page) {
      const after = page.after;
      const rows = await db.reservation.findMany({
        where: {
          userId,
          ...(status ? { status } : {}),
          ...(after ? { OR: [{ reservedAt: { lt: after.at } }, { reservedAt: after.at, id: { lt: after.id } }] } : {}),
        },
        orderBy: [{ reservedAt: 'desc' }, { id: 'desc' }],
        take: page.first + 1,
      });
      return rows.map(toReservation);
    },

    async recordAbandonedHold(abandoned) {
      await appendToOutbox(db, abandoned);
      afterCommit();
    },

    async cancelIfConfirmed(id, at, cancelled) {
      const row = await db.$transaction(async (tx) => {
        const { count } = await tx.reservation.updateMany({
          where: { id, status: 'CONFIRMED' },
          data: { status: 'CANCELLED', cancelledAt: at },
        });
        if (count === 0) return null;
        await appendToOutbox(tx, cancelled);
        return tx.reservation.findUniqueOrThrow({ where: { id } });
      });
      if (!row) return null;
      afterCommit();
      return toReservation(row);
    },
  };
}
