import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Caller, UserGrade } from '../../../platform/auth/caller.ts';
import { InvalidInput, Unauthenticated } from '../../../platform/errors.ts';
import { parseEvent } from '../../../platform/events/contracts.ts';
import type { Causation } from '../../../platform/events/envelope.ts';
import { TicketNotAvailable } from '../../../platform/ticket-errors.ts';
import { TicketServiceUnavailable } from './errors.ts';
import type { ReservationDeps, TicketHolds } from './ports.ts';
import { InMemoryReservationRepository } from '../test/in-memory-reservation-repository.ts';
import { reserveTicket } from './reserve-ticket.ts';
import { aCausation, rejectionOf } from '../../../test/support/domain.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');

interface HoldCall {
  ticketId: string;
  reservationId: string;
  causation: Causation;
}

/** The ticket subgraph's hold, faked: records every call; `holdFailsWith`/`releaseFailsWith` make it throw. */
class FakeTicketHolds implements TicketHolds {
  readonly holds: HoldCall[] = [];
  readonly releases: HoldCall[] = [];
  holdFailsWith: Error | undefined;
  releaseFailsWith: Error | undefined;

  async hold(ticketId: string, reservationId: string, causation: Causation): Promise<void> {
    this.holds.push({ ticketId, reservationId, causation });
    if (this.holdFailsWith) throw this.holdFailsWith;
  }

  async release(ticketId: string, reservationId: string, causation: Causation): Promise<void> {
    this.releases.push({ ticketId, reservationId, causation });
    if (this.releaseFailsWith) throw this.releaseFailsWith;
  }
}

function aReservationWorld() {
  const reservations = new InMemoryReservationRepository();
  const ticketHolds = new FakeTicketHolds();
  const deps: ReservationDeps = { reservations, ticketHolds, clock: () => NOW, logger: pino({ level: 'silent' }) };
  return { deps, reservations, ticketHolds };
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
    expect(ticketHolds.releases).toHaveLength(0);
    expect(reservations.reservations.get(reservation.id)).toEqual(reservation);
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

  describe('when the hold fails', () => {
    it('when the outcome of the hold is unknown, the hold is abandoned durably for the same reservation and the error rethrown', async () => {
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
      expect(ticketHolds.releases).toHaveLength(0);
      expect(reservations.reservations.size).toBe(0);
    });

    it('when the hold was never sent (outcome known), nothing is abandoned and the error is rethrown', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      const unavailable = new TicketServiceUnavailable(3, false);
      ticketHolds.holdFailsWith = unavailable;

      const error = await rejectionOf(() => reserveTicket(deps, aUser(), randomUUID(), aCausation()));

      expect(error).toBe(unavailable);
      expect(reservations.outbox).toHaveLength(0);
      expect(ticketHolds.releases).toHaveLength(0);
    });

    it('when the ticket refuses the hold, nothing is abandoned and the refusal is rethrown', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      const ticketId = randomUUID();
      const refusal = new TicketNotAvailable(ticketId);
      ticketHolds.holdFailsWith = refusal;

      const error = await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, aCausation()));

      expect(error).toBe(refusal);
      expect(reservations.outbox).toHaveLength(0);
      expect(ticketHolds.releases).toHaveLength(0);
    });
  });

  describe('when the local commit fails after a successful hold', () => {
    it('when the reservation cannot be stored, the hold is abandoned durably and the error rethrown', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      const commitFailure = new Error('connection terminated');
      reservations.failCreateWith = commitFailure;
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
    });

    it('when the database takes no writes at all, the hold is released by a direct call instead', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      const databaseDown = new Error('connection terminated');
      reservations.failWritesWith = databaseDown;
      const ticketId = randomUUID();
      const causation = aCausation();

      const error = await rejectionOf(() => reserveTicket(deps, aUser(), ticketId, causation));

      expect(error).toBe(databaseDown);
      expect(ticketHolds.releases).toEqual([
        { ticketId, reservationId: ticketHolds.holds[0]?.reservationId, causation },
      ]);
    });

    it('when the direct release fails as well, the commit failure is still the error rethrown', async () => {
      const { deps, reservations, ticketHolds } = aReservationWorld();
      const databaseDown = new Error('connection terminated');
      reservations.failWritesWith = databaseDown;
      ticketHolds.releaseFailsWith = new TicketServiceUnavailable(3, true);

      const error = await rejectionOf(() => reserveTicket(deps, aUser(), randomUUID(), aCausation()));

      expect(error).toBe(databaseDown);
      expect(ticketHolds.releases).toHaveLength(1);
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
});
