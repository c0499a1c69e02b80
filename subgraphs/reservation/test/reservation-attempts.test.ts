/**
 * Pending reservation attempts on real PostgreSQL: a confirmation and any number of sweepers racing
 * for the same attempts end each of them exactly one way — a reservation or an abandoned hold,
 * never both, never neither — and pending attempts never read as reservations.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { newEvent } from '../../../ticketing/events/envelope.ts';
import { keyedReads } from '../../../platform/database/keyed-reads.ts';
import { useTestDatabase } from '../../../test/support/databases.ts';
import { aCausation } from '../../../test/support/domain.ts';
import { createReservationDatabase } from '../data/prisma.ts';
import { createReservationRepository, pendingAttemptStats } from '../data/reservation-repository.ts';
import type { ReservationRepository } from '../domain/ports.ts';
import type { ReservationAttempt } from '../domain/reservation-attempt.ts';
import { anAttempt } from './attempt-builder.ts';
import type { Reservation } from '../domain/reservation.ts';
import { forward } from '../../../platform/pagination.ts';

let repository: ReservationRepository;

const suite = useTestDatabase('reservation', createReservationDatabase, 12);

beforeAll(() => {
  repository = createReservationRepository(suite.db, () => {}, keyedReads(suite.pool));
});

const aVipAttempt = () => anAttempt({ userGrade: 'VIP' });

function confirmationOf(attempt: ReservationAttempt): [Reservation, ReturnType<typeof reservedEvent>] {
  const reservation: Reservation = {
    id: attempt.id,
    ticketId: attempt.ticketId,
    userId: attempt.userId,
    userGrade: attempt.userGrade,
    status: 'CONFIRMED',
    reservedAt: new Date(),
    cancelledAt: null,
  };
  return [reservation, reservedEvent(attempt)];
}

function reservedEvent(attempt: ReservationAttempt) {
  const keys = { ticketId: attempt.ticketId, reservationId: attempt.id, userId: attempt.userId };
  return newEvent('TicketReserved', keys, { userGrade: attempt.userGrade }, aCausation());
}

function abandonedEvent(attempt: ReservationAttempt) {
  const keys = { ticketId: attempt.ticketId, reservationId: attempt.id, userId: attempt.userId };
  return newEvent('HoldAbandoned', keys, { reason: 'attempt-expired' }, aCausation());
}

async function outboxReservationIds(type: string): Promise<string[]> {
  const rows = await suite.db.$queryRawUnsafe<{ reservation_id: string }[]>(
    `SELECT envelope->>'reservationId' AS reservation_id FROM outbox_event WHERE type = $1`,
    type,
  );
  return rows.map((row) => row.reservation_id);
}

describe('pending reservation attempts', () => {
  it('when confirmations race two sweepers for the same attempts, each attempt ends exactly one way', async () => {
    const attempts: ReservationAttempt[] = [];
    let sweeping = true;
    let sweptSoFar = 0;
    const sweeper = async () => {
      while (sweeping) {
        // Read after the await: `sweptSoFar += await …` would add to the value read before it.
        const abandoned = await repository.abandonAttemptsOlderThan(0, 3, abandonedEvent);
        sweptSoFar += abandoned.length;
      }
    };
    const sweepers = [sweeper(), sweeper()];
    // Each attempt is confirmed as soon as it is stored, while the sweepers take every attempt
    // they can: some are confirmed first, some swept first. As many at once as the pool allows.
    // Who wins each race is up to the scheduler: batches of attempts race on until both kinds of
    // ending have happened (on a slow machine one batch may end all one way), at most ROUNDS.
    const ROUNDS = 10;
    const confirmations: (Reservation | null)[] = [];
    for (let round = 0; round < ROUNDS && (sweptSoFar === 0 || !confirmations.some(Boolean)); round++) {
      const queue = Array.from({ length: 60 }, aVipAttempt);
      attempts.push(...queue);
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let attempt = queue.shift(); attempt; attempt = queue.shift()) {
            await repository.startAttempt(attempt);
            confirmations.push(await repository.confirm(...confirmationOf(attempt)));
          }
        }),
      );
    }
    sweeping = false;
    await Promise.all(sweepers);
    const swept = sweptSoFar;

    const confirmed = new Set(confirmations.flatMap((reservation) => (reservation ? [reservation.id] : [])));
    const reserved = await outboxReservationIds('TicketReserved');
    const abandoned = await outboxReservationIds('HoldAbandoned');
    const stored = new Set((await repository.findByIds(attempts.map((a) => a.id))).map((r) => r.id));
    expect(new Set(reserved)).toEqual(confirmed);
    expect(stored).toEqual(confirmed);
    expect(new Set(abandoned).size).toBe(abandoned.length);
    expect(swept).toBe(abandoned.length);
    // Both kinds of ending happened, or the race was not run.
    expect(confirmed.size).toBeGreaterThan(0);
    expect(swept).toBeGreaterThan(0);
    for (const attempt of attempts) {
      expect([confirmed.has(attempt.id), abandoned.includes(attempt.id)].filter(Boolean)).toHaveLength(1);
    }
    expect((await pendingAttemptStats(suite.db)).pending).toBe(0);
  });

  it('when an attempt is pending, it is not a reservation: not found by id, not listed for its user', async () => {
    const attempt = aVipAttempt();
    const before = (await pendingAttemptStats(suite.db)).pending;
    await repository.startAttempt(attempt);

    expect(await repository.findById(attempt.id)).toBeNull();
    expect(await repository.listByUser(attempt.userId, undefined, forward(10))).toEqual([]);
    const stats = await pendingAttemptStats(suite.db);
    expect(stats.pending).toBe(before + 1);
    expect(stats.oldestAgeSeconds).toBeGreaterThan(0);
    await repository.forgetAttempt(attempt.id);
    expect((await pendingAttemptStats(suite.db)).pending).toBe(before);
  });

  it('when an attempt is younger than the timeout, the sweeper leaves it for its request to confirm', async () => {
    const attempt = aVipAttempt();
    await repository.startAttempt(attempt);

    expect(await repository.abandonAttemptsOlderThan(60_000, 10, abandonedEvent)).toEqual([]);
    expect(await repository.confirm(...confirmationOf(attempt))).toMatchObject({ id: attempt.id, status: 'CONFIRMED' });
  });

  it('when an attempt was abandoned, a late confirmation writes nothing', async () => {
    const attempt = aVipAttempt();
    await repository.startAttempt(attempt);
    expect(await repository.abandonAttempt(attempt.id, abandonedEvent(attempt))).toBe(true);

    expect(await repository.confirm(...confirmationOf(attempt))).toBeNull();
    expect(await repository.findById(attempt.id)).toBeNull();
    expect(await repository.abandonAttempt(attempt.id, abandonedEvent(attempt))).toBe(false);
    expect((await outboxReservationIds('HoldAbandoned')).filter((id) => id === attempt.id)).toHaveLength(1);
  });
});
