import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Caller, UserGrade } from '../../../ticketing/caller.ts';
import { InvalidInput, Unauthenticated } from '../../../ticketing/errors.ts';
import { parseEvent } from '../../../ticketing/events/contracts.ts';
import type { Causation } from '../../../ticketing/events/envelope.ts';
import { TicketNotAvailable } from '../../../ticketing/ticket-errors.ts';
import { TicketServiceUnavailable } from './errors.ts';
import type { ReservationDeps, TicketHolds } from './ports.ts';
import { InMemoryReservationRepository } from '../test/in-memory-reservation-repository.ts';
import { reserveTicket } from './reserve-ticket.ts';
import { cancelReservation } from './cancel-reservation.ts';
import { abandonExpiredAttempts } from './abandon-expired-attempts.ts';
import { createTakenTicketMemory } from './taken-tickets.ts';
import { aCausation, rejectionOf } from '../../../test/support/domain.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');

interface HoldCall {
  ticketId: string;
  reservationId: string;
  causation: Causation;
}

/** The ticket subgraph's hold, faked: records every call; `holdFailsWith` makes it throw. */
class FakeTicketHolds implements TicketHolds {
  readonly holds: HoldCall[] = [];
  holdFailsWith: Error | undefined;
  /** Runs during the hold, after ticket would have applied it. */
  whileHolding: (() => void) | undefined;
  /** Makes the fast check refuse, as an open circuit does. */
  refuseFastWith: Error | undefined;

  assertAcceptingHolds(): void {
    if (this.refuseFastWith) throw this.refuseFastWith;
  }

  async hold(ticketId: string, reservationId: string, causation: Causation): Promise<void> {
    this.holds.push({ ticketId, reservationId, causation });
    this.whileHolding?.();
    if (this.holdFailsWith) throw this.holdFailsWith;
  }
}

function aReservationWorld() {
  const reservations = new InMemoryReservationRepository();
  const ticketHolds = new FakeTicketHolds();
  const deps: ReservationDeps = { reservations, ticketHolds, clock: () => NOW, logger: pino({ level: 'silent' }) };
  return { deps, reservations, ticketHolds };
}

/** A world whose replica remembers taken tickets for a second, on a clock the test moves. */
function aRememberingWorld() {
  const world = aReservationWorld();
  let clock = 0;
  world.deps.takenTickets = createTakenTicketMemory({ lifetimeMs: 1000, maxEntries: 100, now: () => clock });
  return { ...world, advance: (ms: number) => (clock += ms) };
}

function aUser(overrides: { grade?: UserGrade; userId?: string } = {}): Caller {
  return {
    kind: 'user',
    userId: overrides.userId ?? `user-${randomUUID()}`,
    roles: ['USER'],
    grade: overrides.grade ?? 'NORMAL',
  };
}

describe('reserveTicket', () => {
  it('when the hold succeeds, a CONFIRMED reservation of the caller is committed for the held reservation id', async () => {
    const { deps, reservations, ticketHolds } = aReservationWorld();
    const ticketId = randomUUID();
    const causation = aCausation();

    const reservation = await reserveTicket(deps, aUser({ userId: 'user-7' }), ticketId, causation);

    expect(reservation).toEqual({
      id: expect.any(String),
      ticketId,
      userId: 'user-7',
      userGrade: 'NORMAL',
      status: 'CONFIRMED',
      reservedAt: NOW,
      cancelledAt: null,
    });
    expect(ticketHolds.holds).toEqual([{ ticketId, reservationId: reservation.id, causation }]);
    expect(reservations.reservations.get(reservation.id)).toEqual(reservation);
    expect(reservations.attempts.size).toBe(0);
  });

  it('when the hold is sent, the attempt it was sent for is already stored', async () => {
    const { deps, reservations, ticketHolds } = aReservationWorld();
    const stored: unknown[] = [];
    ticketHolds.whileHolding = () => stored.push(...[...reservations.attempts.values()].map((a) => a.attempt));
    const ticketId = randomUUID();
    const causation = aCausation();

    const reservation = await reserveTicket(deps, aUser({ userId: 'user-8', grade: 'VIP' }), ticketId, causation);

    expect(stored).toEqual([
      {
        id: reservation.id,
        ticketId,
        userId: 'user-8',
        userGrade: 'VIP',
        correlationId: causation.correlationId,
      },
    ]);
  });

  it('when a VIP reserves, the reservation and its TicketReserved event carry the grade VIP from the caller', async () => {
    const { deps, reservations } = aReservationWorld();
    const ticketId = randomUUID();
    const causation = aCausation();

    const reservation = await reserveTicket(deps, aUser({ userId: 'vip-1', grade: 'VIP' }), ticketId, causation);

    expect(reservation.userGrade).toBe('VIP');
    expect(reservations.outbox).toHaveLength(1);
    const event = reservations.outbox[0];
    expect(() => parseEvent(JSON.parse(JSON.stringify(event)))).not.toThrow();
    expect(event).toMatchObject({
      type: 'TicketReserved',
      ticketId,
      reservationId: reservation.id,
      userId: 'vip-1',
      correlationId: causation.correlationId,
      occurredAt: NOW.toISOString(),
      data: { userGrade: 'VIP' },
    });
  });

  it('when the caller is anonymous, it is refused with UNAUTHENTICATED before any hold is sent', async () => {
    const { deps, ticketHolds } = aReservationWorld();

    const error = await rejectionOf(() => reserveTicket(deps, { kind: 'anonymous' }, randomUUID(), aCausation()));

    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(ticketHolds.holds).toHaveLength(0);
  });

  it('when the ticket id is not a UUID, it is refused naming ticketId before any hold is sent', async () => {
    const { deps, ticketHolds } = aReservationWorld();

    const error = await rejectionOf(() => reserveTicket(deps, aUser(), 'not-a-ticket', aCausation()));

    expect(error).toBeInstanceOf(InvalidInput);
    expect(error).toMatchObject({ field: 'ticketId' });
    expect(ticketHolds.holds).toHaveLength(0);
  });

  it('when the circuit to ticket is open, it fails fast: nothing is stored and no hold is sent', async () => {
    const { deps, reservations, ticketHolds } = aReservationWorld();
    const open = new TicketServiceUnavailable(4, false);
    ticketHolds.refuseFastWith = open;

    const error = await rejectionOf(() => reserveTicket(deps, aUser(), randomUUID(), aCausation()));

    expect(error).toBe(open);
    expect(reservations.attempts.size).toBe(0);
    expect(ticketHolds.holds).toHaveLength(0);
  });

  it('when the attempt cannot be stored, no hold is sent and the failure is rethrown', async () => {
    const { deps, reservations, ticketHolds } = aReservationWorld();
    const databaseDown = new Error('connection terminated');
    reservations.failWritesWith = databaseDown;

    const error = await rejectionOf(() => reserveTicket(deps, aUser(), randomUUID(), aCausation()));

    expect(error).toBe(databaseDown);
    expect(ticketHolds.holds).toHaveLength(0);
  });

  describe('when the hold fails', () => {
    it('when the outcome of the hold is unknown, the attempt is abandoned durably and the error rethrown', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      const unavailable = new TicketServiceUnavailable(3, true);
      ticketHolds.holdFailsWith = unavailable;
      const ticketId = randomUUID();
      const causation = aCausation();

      const error = await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, causation));

      expect(error).toBe(unavailable);
      expect(reservations.abandonedHolds()).toEqual([
        expect.objectContaining({
          ticketId,
          reservationId: ticketHolds.holds[0]?.reservationId,
          correlationId: causation.correlationId,
          data: { reason: 'hold-outcome-unknown' },
        }),
      ]);
      expect(reservations.attempts.size).toBe(0);
      expect(reservations.reservations.size).toBe(0);
    });

    it('when ticket fails in a way it does not name, the outcome counts as unknown and the attempt is abandoned', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      ticketHolds.holdFailsWith = new Error('ticket refused the hold: internal error');

      await rejectionOf(() => reserveTicket(deps, aUser(), randomUUID(), aCausation()));

      expect(reservations.abandonedHolds()).toHaveLength(1);
    });

    it('when the hold was never sent (outcome known), the attempt is deleted without an event and the error rethrown', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      const unavailable = new TicketServiceUnavailable(3, false);
      ticketHolds.holdFailsWith = unavailable;

      const error = await rejectionOf(() => reserveTicket(deps, aUser(), randomUUID(), aCausation()));

      expect(error).toBe(unavailable);
      expect(reservations.outbox).toHaveLength(0);
      expect(reservations.attempts.size).toBe(0);
    });

    it('when the ticket refuses the hold, the attempt is deleted without an event and the refusal rethrown', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      const ticketId = randomUUID();
      const refusal = new TicketNotAvailable(ticketId);
      ticketHolds.holdFailsWith = refusal;

      const error = await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));

      expect(error).toBe(refusal);
      expect(reservations.outbox).toHaveLength(0);
      expect(reservations.attempts.size).toBe(0);
    });

    it('when the outcome is unknown and the database is down too, the attempt stays stored for the sweeper', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      ticketHolds.whileHolding = () => {
        reservations.failWritesWith = new Error('connection terminated');
      };
      ticketHolds.holdFailsWith = new TicketServiceUnavailable(3, true);

      await rejectionOf(() => reserveTicket(deps, aUser(), randomUUID(), aCausation()));

      expect([...reservations.attempts.keys()]).toEqual([ticketHolds.holds[0]?.reservationId]);
      expect(reservations.outbox).toHaveLength(0);
    });
  });

  describe('when the confirmation fails after a successful hold', () => {
    it('when the reservation cannot be stored, the attempt is abandoned durably and the error rethrown', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      const commitFailure = new Error('connection terminated');
      reservations.failConfirmWith = commitFailure;
      const ticketId = randomUUID();

      const error = await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));

      expect(error).toBe(commitFailure);
      expect(reservations.abandonedHolds()).toEqual([
        expect.objectContaining({
          ticketId,
          reservationId: ticketHolds.holds[0]?.reservationId,
          data: { reason: 'reservation-commit-failed' },
        }),
      ]);
      expect(reservations.attempts.size).toBe(0);
    });

    it('when the database takes no writes at all, nothing is released directly: the attempt stays for the sweeper', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      const databaseDown = new Error('connection terminated');
      ticketHolds.whileHolding = () => {
        reservations.failWritesWith = databaseDown;
      };

      const error = await rejectionOf(() => reserveTicket(deps, aUser(), randomUUID(), aCausation()));

      expect(error).toBe(databaseDown);
      expect([...reservations.attempts.keys()]).toEqual([ticketHolds.holds[0]?.reservationId]);
      expect(reservations.reservations.size).toBe(0);
    });

    it('when the sweeper abandoned the attempt before the hold came back, no reservation is made and the caller may retry', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      reservations.beforeConfirm = () => {
        const [pending] = reservations.attempts.keys();
        reservations.attempts.delete(pending ?? '');
      };

      const error = await rejectionOf(() => reserveTicket(deps, aUser(), randomUUID(), aCausation()));

      expect(error).toBeInstanceOf(TicketServiceUnavailable);
      expect(error).toMatchObject({ code: 'TICKET_SERVICE_UNAVAILABLE', outcomeUnknown: false });
      expect(reservations.reservations.size).toBe(0);
      expect(ticketHolds.holds).toHaveLength(1);
    });
  });

  it('when the same user reserves twice, each attempt holds under a fresh reservation id', async () => {
    const { deps, ticketHolds } = aReservationWorld();
    const user = aUser();

    await reserveTicket(deps, user, randomUUID(), aCausation());
    await reserveTicket(deps, user, randomUUID(), aCausation());

    const [first, second] = ticketHolds.holds;
    expect(first?.reservationId).not.toBe(second?.reservationId);
  });

  describe('when this replica saw the ticket taken a moment ago', () => {
    it('when ticket refused a hold, the next attempts within the memory are refused without storing or sending anything', async () => {
      const { deps, reservations, ticketHolds, advance } = aRememberingWorld();
      const ticketId = randomUUID();
      ticketHolds.holdFailsWith = new TicketNotAvailable(ticketId);
      await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));
      reservations.failWritesWith = new Error('nothing may be written for a refusal from memory');

      advance(999);
      const error = await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));

      expect(error).toBeInstanceOf(TicketNotAvailable);
      expect(error).toMatchObject({ code: 'TICKET_NOT_AVAILABLE', ticketId });
      expect(ticketHolds.holds).toHaveLength(1);
    });

    it('when the memory has lapsed, the next attempt asks ticket again', async () => {
      const { deps, ticketHolds, advance } = aRememberingWorld();
      const ticketId = randomUUID();
      ticketHolds.holdFailsWith = new TicketNotAvailable(ticketId);
      await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));

      advance(1000);
      ticketHolds.holdFailsWith = undefined;
      await reserveTicket(deps, aUser(), ticketId, aCausation());

      expect(ticketHolds.holds).toHaveLength(2);
    });

    it('when this replica won the ticket, the next caller is refused from memory, and asks ticket once the reservation is cancelled', async () => {
      const { deps, ticketHolds } = aRememberingWorld();
      const ticketId = randomUUID();
      const winner = aUser();
      const reservation = await reserveTicket(deps, winner, ticketId, aCausation());

      const refused = await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));
      await cancelReservation(deps, winner, reservation.id, aCausation());
      await reserveTicket(deps, aUser(), ticketId, aCausation());

      expect(refused).toBeInstanceOf(TicketNotAvailable);
      expect(ticketHolds.holds.map((hold) => hold.ticketId)).toEqual([ticketId, ticketId]);
    });

    it('when the confirmation fails and the attempt is abandoned, the next attempt asks ticket', async () => {
      const { deps, reservations, ticketHolds } = aRememberingWorld();
      const ticketId = randomUUID();
      reservations.failConfirmWith = new Error('connection terminated');
      await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));

      reservations.failConfirmWith = undefined;
      await reserveTicket(deps, aUser(), ticketId, aCausation());

      expect(ticketHolds.holds.map((hold) => hold.ticketId)).toEqual([ticketId, ticketId]);
    });

    it('when the sweeper abandons an attempt for the ticket, the next attempt asks ticket', async () => {
      const { deps, reservations, ticketHolds } = aRememberingWorld();
      const ticketId = randomUUID();
      ticketHolds.holdFailsWith = new TicketNotAvailable(ticketId);
      await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));
      ticketHolds.holdFailsWith = undefined;
      // The attempt of a request that died after its hold: the one holding the ticket.
      await reservations.startAttempt({
        id: randomUUID(),
        ticketId,
        userId: 'u-1',
        userGrade: 'NORMAL',
        correlationId: 'c-1',
      });

      await abandonExpiredAttempts(deps, { attemptTimeoutMs: -1, batchSize: 10 });
      await reserveTicket(deps, aUser(), ticketId, aCausation());

      expect(ticketHolds.holds).toHaveLength(2);
    });

    it('while its hold for the ticket is in flight, another attempt waits for the answer and is refused without a hold of its own', async () => {
      const { deps, ticketHolds } = aRememberingWorld();
      const ticketId = randomUUID();
      const winner = reserveTicket(deps, aUser(), ticketId, aCausation());
      const loser = rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));

      await winner;

      expect(await loser).toBeInstanceOf(TicketNotAvailable);
      expect(ticketHolds.holds).toHaveLength(1);
    });

    it('when its hold in flight fails without an answer, the attempts that waited for it send holds of their own', async () => {
      const { deps, ticketHolds } = aRememberingWorld();
      const ticketId = randomUUID();
      ticketHolds.whileHolding = () => {
        ticketHolds.holdFailsWith = ticketHolds.holds.length === 1 ? new TicketServiceUnavailable(1, false) : undefined;
      };
      const first = rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));
      const waiting = reserveTicket(deps, aUser(), ticketId, aCausation());

      expect(await first).toBeInstanceOf(TicketServiceUnavailable);
      await waiting;

      expect(ticketHolds.holds).toHaveLength(2);
    });

    it('when the hold failed without a refusal, nothing is remembered: the next attempt asks ticket', async () => {
      const { deps, ticketHolds } = aRememberingWorld();
      const ticketId = randomUUID();
      ticketHolds.holdFailsWith = new TicketServiceUnavailable(1, false);
      await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));

      ticketHolds.holdFailsWith = undefined;
      await reserveTicket(deps, aUser(), ticketId, aCausation());

      expect(ticketHolds.holds).toHaveLength(2);
    });
  });
});
