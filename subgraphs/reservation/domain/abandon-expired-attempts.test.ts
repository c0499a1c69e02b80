import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { parseEvent } from '../../../ticketing/events/contracts.ts';
import { anAttempt } from '../test/attempt-builder.ts';
import { InMemoryReservationRepository } from '../test/in-memory-reservation-repository.ts';
import { abandonExpiredAttempts } from './abandon-expired-attempts.ts';
import type { ReservationDeps, TicketHolds } from './ports.ts';
import type { AbandonedBy, AbandonReason } from './reservation-attempt.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const TIMEOUT_MS = 15_000;

const noTicketCalls: TicketHolds = {
  hold: () => Promise.reject(new Error('the sweeper never calls ticket')),
  assertAcceptingHolds: () => {},
};

function aSweepWorld() {
  const reservations = new InMemoryReservationRepository();
  let now = NOW.getTime();
  reservations.now = () => now;
  const abandoned: { by: AbandonedBy; reason: AbandonReason }[] = [];
  const deps: ReservationDeps = {
    reservations,
    ticketHolds: noTicketCalls,
    clock: () => new Date(now),
    logger: pino({ level: 'silent' }),
    saga: { attemptAbandoned: (by, reason) => abandoned.push({ by, reason }) },
  };
  return { deps, reservations, abandoned, advance: (ms: number) => (now += ms) };
}

describe('abandonExpiredAttempts', () => {
  it('when an attempt is older than the timeout, it is abandoned with a HoldAbandoned event carrying its request', async () => {
    const { deps, reservations, abandoned, advance } = aSweepWorld();
    const attempt = anAttempt();
    await reservations.startAttempt(attempt);
    advance(TIMEOUT_MS + 1);

    expect(await abandonExpiredAttempts(deps, { attemptTimeoutMs: TIMEOUT_MS, batchSize: 10 })).toBe(1);

    expect(reservations.attempts.size).toBe(0);
    const [event] = reservations.abandonedHolds();
    expect(() => parseEvent(JSON.parse(JSON.stringify(event)))).not.toThrow();
    expect(event).toMatchObject({
      ticketId: attempt.ticketId,
      reservationId: attempt.id,
      userId: attempt.userId,
      correlationId: attempt.correlationId,
      causationId: null,
      data: { reason: 'attempt-expired' },
    });
    expect(abandoned).toEqual([{ by: 'sweeper', reason: 'attempt-expired' }]);
  });

  it('when an attempt is younger than the timeout, it is left alone', async () => {
    const { deps, reservations, advance } = aSweepWorld();
    await reservations.startAttempt(anAttempt());
    advance(TIMEOUT_MS - 1);

    expect(await abandonExpiredAttempts(deps, { attemptTimeoutMs: TIMEOUT_MS, batchSize: 10 })).toBe(0);

    expect(reservations.attempts.size).toBe(1);
    expect(reservations.outbox).toHaveLength(0);
  });

  it('when more attempts expired than one batch holds, every one of them is abandoned in one sweep', async () => {
    const { deps, reservations, advance } = aSweepWorld();
    for (let i = 0; i < 7; i++) await reservations.startAttempt(anAttempt());
    advance(TIMEOUT_MS + 1);

    expect(await abandonExpiredAttempts(deps, { attemptTimeoutMs: TIMEOUT_MS, batchSize: 3 })).toBe(7);

    expect(reservations.attempts.size).toBe(0);
    expect(new Set(reservations.abandonedHolds().map((e) => e.reservationId)).size).toBe(7);
  });

  it('when the database is down, the failure is thrown so the next sweep tries again', async () => {
    const { deps, reservations } = aSweepWorld();
    reservations.failWritesWith = new Error('connection terminated');

    await expect(abandonExpiredAttempts(deps, { attemptTimeoutMs: TIMEOUT_MS, batchSize: 10 })).rejects.toThrow(
      'connection terminated',
    );
  });
});
