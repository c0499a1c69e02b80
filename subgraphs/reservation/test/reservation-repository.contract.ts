/**
 * The rules of the reservation repository port, as one suite every implementation runs: the
 * PostgreSQL repository in a component test, the in-memory fake the domain tests use in a unit
 * test. A fake that drifts from the real rules fails here instead of letting a domain test pass on
 * a fiction.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { newEvent } from '../../../ticketing/events/envelope.ts';
import { backward, forward, type PageRequest } from '../../../platform/pagination.ts';
import { walkPages } from '../../../test/support/pages.ts';
import { aCausation } from '../../../test/support/domain.ts';
import type { ReservationRepository } from '../domain/ports.ts';
import type { ReservationAttempt } from '../domain/reservation-attempt.ts';
import type { Reservation, ReservationStatus } from '../domain/reservation.ts';
import { anAttempt } from './attempt-builder.ts';

export interface ReservationRepositoryUnderTest {
  /** A repository over an empty store. */
  repository: ReservationRepository;
  /** Ids of the events the repository wrote to its outbox, in the order written. */
  outboxEventIds(): Promise<string[]>;
  /** Moves a pending attempt's start back by `ms`, as if it had been pending that much longer. */
  age(attemptId: string, ms: number): Promise<void>;
}

const MINUTE = 60_000;
/** The sweep's bound in these tests: attempts aged by a minute or more are past it, new ones are not. */
const BOUND_MS = 10_000;

function theReservationOf(attempt: ReservationAttempt, reservedAt: Date): Reservation {
  const { id, ticketId, userId, userGrade } = attempt;
  return { id, ticketId, userId, userGrade, status: 'CONFIRMED', reservedAt, cancelledAt: null };
}

const reservedEvent = (r: Reservation): EventEnvelope<'TicketReserved'> =>
  newEvent(
    'TicketReserved',
    { ticketId: r.ticketId, reservationId: r.id, userId: r.userId },
    { userGrade: r.userGrade },
    aCausation(),
  );

const abandonedEvent = (attempt: ReservationAttempt): EventEnvelope<'HoldAbandoned'> =>
  newEvent(
    'HoldAbandoned',
    { ticketId: attempt.ticketId, reservationId: attempt.id, userId: attempt.userId },
    { reason: 'attempt-expired' },
    { correlationId: attempt.correlationId, causationId: null },
  );

const cancelledEvent = (r: Reservation): EventEnvelope<'ReservationCancelled'> =>
  newEvent(
    'ReservationCancelled',
    { ticketId: r.ticketId, reservationId: r.id, userId: r.userId },
    { userGrade: r.userGrade },
    aCausation(),
  );

/** The order `listByUser` promises: newest first, then by id, descending, for one instant. */
function newestFirst(reservations: Reservation[]): Reservation[] {
  return [...reservations].sort((a, b) => b.reservedAt.getTime() - a.reservedAt.getTime() || (a.id < b.id ? 1 : -1));
}

const ids = (items: { id: string }[]) => items.map((item) => item.id);
const keyOf = (reservation: Reservation) => ({ at: reservation.reservedAt, id: reservation.id });

export function describeReservationRepositoryContract(
  implementation: string,
  open: () => Promise<ReservationRepositoryUnderTest>,
): void {
  describe(`the reservation repository contract (${implementation})`, () => {
    let reservations: ReservationRepository;
    let outboxEventIds: () => Promise<string[]>;
    let age: (attemptId: string, ms: number) => Promise<void>;
    const now = new Date();

    beforeEach(async () => {
      ({ repository: reservations, outboxEventIds, age } = await open());
    });

    /** A CONFIRMED reservation, through the attempt it starts as. */
    async function reserve(overrides: Partial<ReservationAttempt> = {}, reservedAt: Date = now): Promise<Reservation> {
      const attempt = anAttempt(overrides);
      await reservations.startAttempt(attempt);
      const reservation = theReservationOf(attempt, reservedAt);
      const confirmed = await reservations.confirm(reservation, reservedEvent(reservation));
      if (!confirmed) throw new Error('the attempt was just started, yet could not be confirmed');
      return confirmed;
    }

    const sweep = (limit = 10) => reservations.abandonAttemptsOlderThan(BOUND_MS, limit, abandonedEvent);

    async function listByUser(userId: string, status: ReservationStatus | undefined, page: PageRequest) {
      return reservations.listByUser(userId, status, page);
    }

    describe('attempts', () => {
      it('a pending attempt is not a reservation: nothing finds or lists it, and it writes no event', async () => {
        const attempt = anAttempt();
        await reservations.startAttempt(attempt);

        expect(await reservations.findById(attempt.id)).toBeNull();
        expect(await reservations.findByIds([attempt.id])).toEqual([]);
        expect(await listByUser(attempt.userId, undefined, forward(10))).toEqual([]);
        expect(await outboxEventIds()).toEqual([]);
      });

      it('confirming an attempt stores its CONFIRMED reservation with the TicketReserved event', async () => {
        const attempt = anAttempt({ userGrade: 'VIP' });
        await reservations.startAttempt(attempt);
        const reservation = theReservationOf(attempt, now);
        const reserved = reservedEvent(reservation);

        expect(await reservations.confirm(reservation, reserved)).toEqual(reservation);

        expect(await reservations.findById(attempt.id)).toEqual(reservation);
        expect(await outboxEventIds()).toEqual([reserved.id]);
      });

      it('confirming without a pending attempt writes nothing', async () => {
        const reservation = theReservationOf(anAttempt(), now);

        expect(await reservations.confirm(reservation, reservedEvent(reservation))).toBeNull();

        expect(await reservations.findById(reservation.id)).toBeNull();
        expect(await outboxEventIds()).toEqual([]);
      });

      it('an abandoned attempt is abandoned once, with its HoldAbandoned event, and can no longer be confirmed', async () => {
        const attempt = anAttempt();
        await reservations.startAttempt(attempt);
        const abandoned = abandonedEvent(attempt);

        expect(await reservations.abandonAttempt(attempt.id, abandoned)).toBe(true);
        expect(await reservations.abandonAttempt(attempt.id, abandonedEvent(attempt))).toBe(false);
        const reservation = theReservationOf(attempt, now);
        expect(await reservations.confirm(reservation, reservedEvent(reservation))).toBeNull();

        expect(await reservations.findById(attempt.id)).toBeNull();
        expect(await outboxEventIds()).toEqual([abandoned.id]);
      });

      it('a confirmed attempt can no longer be abandoned', async () => {
        const reservation = await reserve();
        const eventsBefore = await outboxEventIds();

        expect(
          await reservations.abandonAttempt(reservation.id, abandonedEvent(anAttempt({ id: reservation.id }))),
        ).toBe(false);

        expect(await reservations.findById(reservation.id)).toMatchObject({ status: 'CONFIRMED' });
        expect(await outboxEventIds()).toEqual(eventsBefore);
      });

      it('a forgotten attempt writes nothing and can no longer be confirmed', async () => {
        const attempt = anAttempt();
        await reservations.startAttempt(attempt);

        await reservations.forgetAttempt(attempt.id);
        const reservation = theReservationOf(attempt, now);

        expect(await reservations.confirm(reservation, reservedEvent(reservation))).toBeNull();
        expect(await outboxEventIds()).toEqual([]);
      });

      it('the sweep abandons attempts pending longer than the bound, oldest first, up to its limit, each with its event', async () => {
        const [older, oldest, fresh] = [anAttempt(), anAttempt(), anAttempt()];
        for (const attempt of [older, oldest, fresh]) await reservations.startAttempt(attempt);
        await age(older.id, MINUTE);
        await age(oldest.id, 2 * MINUTE);

        expect(await sweep(1)).toEqual([oldest]);
        expect(await sweep()).toEqual([older]);
        expect(await sweep()).toEqual([]);

        expect(await outboxEventIds()).toHaveLength(2);
        const reservation = theReservationOf(older, now);
        expect(await reservations.confirm(reservation, reservedEvent(reservation))).toBeNull();
        const freshReservation = theReservationOf(fresh, now);
        expect(await reservations.confirm(freshReservation, reservedEvent(freshReservation))).toEqual(freshReservation);
      });
    });

    describe('lookup', () => {
      it('finds nothing for an unknown id', async () => {
        expect(await reservations.findById(randomUUID())).toBeNull();
      });

      it('finds each of several reservations once, skipping unknown ids', async () => {
        const [a, b] = [await reserve(), await reserve()];
        const found = await reservations.findByIds([a.id, randomUUID(), b.id, a.id]);
        expect(ids(found).sort()).toEqual([a.id, b.id].sort());
      });
    });

    describe('a user’s reservations', () => {
      const userId = `user-${randomUUID()}`;
      const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * MINUTE);

      async function reserveSeveral(minutesAgo: number[]): Promise<Reservation[]> {
        const made: Reservation[] = [];
        for (const m of minutesAgo) made.push(await reserve({ userId }, at(m)));
        return made;
      }

      it('lists only the user’s reservations, newest first, then by id', async () => {
        const mine = await reserveSeveral([3, 1, 2, 2, 2]);
        await reserve({ userId: `user-${randomUUID()}` });

        expect(ids(await listByUser(userId, undefined, forward(10)))).toEqual(ids(newestFirst(mine)));
      });

      it('returns at most first + 1, and a page after a cursor starts right after it', async () => {
        const ordered = newestFirst(await reserveSeveral([5, 4, 3, 3, 1]));
        const visited = await walkPages((page) => listByUser(userId, undefined, page), keyOf, 2);
        expect(ids(visited)).toEqual(ids(ordered));
      });

      it('reads backward from the oldest, and a page before a cursor ends right before it', async () => {
        const ordered = newestFirst(await reserveSeveral([5, 4, 3, 3, 1]));
        expect(ids(await listByUser(userId, undefined, backward(2)))).toEqual(ids(ordered.slice(2).reverse()));
        expect(ids(await listByUser(userId, undefined, backward(10, keyOf(ordered[2]!))))).toEqual(
          ids(ordered.slice(0, 2).reverse()),
        );
        const visited = await walkPages((page) => listByUser(userId, undefined, page), keyOf, 2, 'backward');
        expect(ids(visited)).toEqual(ids(ordered));
      });

      it('filters by status, within a page', async () => {
        const [cancelled, ...confirmed] = await reserveSeveral([4, 3, 2, 1]);
        await reservations.cancelIfConfirmed(cancelled!.id, now, cancelledEvent(cancelled!));

        expect(ids(await listByUser(userId, 'CANCELLED', forward(10)))).toEqual([cancelled!.id]);
        const firstPage = await listByUser(userId, 'CONFIRMED', forward(1));
        expect(ids(firstPage)).toEqual(ids(newestFirst(confirmed).slice(0, 2)));
        const rest = await listByUser(userId, 'CONFIRMED', forward(10, keyOf(firstPage[0]!)));
        expect(ids(rest)).toEqual(ids(newestFirst(confirmed).slice(1)));
        const oldest = await listByUser(userId, 'CONFIRMED', backward(1));
        expect(ids(oldest)).toEqual(ids(newestFirst(confirmed).slice(1).reverse()));
      });
    });

    describe('the conditional cancel', () => {
      it('cancels a CONFIRMED reservation once, at the given time, with its ReservationCancelled event', async () => {
        const reservation = await reserve();
        const eventsBefore = await outboxEventIds();
        const cancelledAt = new Date(now.getTime() + MINUTE);
        const cancelled = cancelledEvent(reservation);

        const result = await reservations.cancelIfConfirmed(reservation.id, cancelledAt, cancelled);

        const expected = { ...reservation, status: 'CANCELLED', cancelledAt };
        expect(result).toEqual(expected);
        expect(await reservations.findById(reservation.id)).toEqual(expected);
        expect(await reservations.cancelIfConfirmed(reservation.id, now, cancelledEvent(reservation))).toBeNull();
        expect(await outboxEventIds()).toEqual([...eventsBefore, cancelled.id]);
      });

      it('cancels nothing that does not exist', async () => {
        const reservation = theReservationOf(anAttempt(), now);
        expect(await reservations.cancelIfConfirmed(reservation.id, now, cancelledEvent(reservation))).toBeNull();
        expect(await outboxEventIds()).toEqual([]);
      });
    });
  });
}
