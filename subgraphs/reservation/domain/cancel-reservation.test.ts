import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import type { Caller, Role } from '../../../ticketing/caller.ts';
import { Forbidden, InvalidInput, Unauthenticated } from '../../../ticketing/errors.ts';
import { parseEvent } from '../../../ticketing/events/contracts.ts';
import { cancelReservation } from './cancel-reservation.ts';
import { ReservationAlreadyCancelled, ReservationNotFound } from './errors.ts';
import type { ReservationDeps, TicketHolds } from './ports.ts';
import type { Reservation } from './reservation.ts';
import { InMemoryReservationRepository } from '../test/in-memory-reservation-repository.ts';
import { aCausation, rejectionOf } from '../../../test/support/domain.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;

/** Cancelling is local: any call to the ticket subgraph fails the test. */
const noTicketCalls: TicketHolds = {
  hold: () => Promise.reject(new Error('cancelling never holds a ticket')),
  assertAcceptingHolds: () => {},
};

function aReservationWorld() {
  const reservations = new InMemoryReservationRepository();
  const deps: ReservationDeps = {
    reservations,
    ticketHolds: noTicketCalls,
    clock: () => NOW,
    logger: pino({ level: 'silent' }),
  };
  return { deps, reservations };
}

function aReservation(overrides: Partial<Reservation> = {}): Reservation {
  return {
    id: randomUUID(),
    ticketId: randomUUID(),
    userId: `user-${randomUUID()}`,
    userGrade: 'NORMAL',
    status: 'CONFIRMED',
    reservedAt: new Date(NOW.getTime() - HOUR),
    cancelledAt: null,
    ...overrides,
  };
}

function aUser(userId: string, roles: Role[] = ['USER']): Caller {
  return { kind: 'user', userId, roles, grade: 'NORMAL' };
}

const anAdmin = () => aUser(`admin-${randomUUID()}`, ['USER', 'ADMIN']);

describe('cancelReservation', () => {
  it('when the owner cancels a CONFIRMED reservation, it becomes CANCELLED at the clock time', async () => {
    const { deps, reservations } = aReservationWorld();
    const reservation = reservations.add(aReservation());

    const cancelled = await cancelReservation(deps, aUser(reservation.userId), reservation.id, aCausation());

    expect(cancelled).toEqual({ ...reservation, status: 'CANCELLED', cancelledAt: NOW });
    expect(reservations.reservations.get(reservation.id)).toEqual(cancelled);
  });

  it('when a reservation is cancelled, a valid ReservationCancelled event carries its keys, grade and the request correlation', async () => {
    const { deps, reservations } = aReservationWorld();
    const reservation = reservations.add(aReservation({ userGrade: 'VIP' }));
    const causation = aCausation();

    await cancelReservation(deps, aUser(reservation.userId), reservation.id, causation);

    expect(reservations.outbox).toHaveLength(1);
    const event = reservations.outbox[0];
    expect(() => parseEvent(JSON.parse(JSON.stringify(event)))).not.toThrow();
    expect(event).toMatchObject({
      type: 'ReservationCancelled',
      ticketId: reservation.ticketId,
      reservationId: reservation.id,
      userId: reservation.userId,
      correlationId: causation.correlationId,
      occurredAt: NOW.toISOString(),
      data: { userGrade: 'VIP' },
    });
  });

  it('when another user tries to cancel, it is refused with FORBIDDEN and the reservation stays CONFIRMED', async () => {
    const { deps, reservations } = aReservationWorld();
    const reservation = reservations.add(aReservation());

    const error = await rejectionOf(() =>
      cancelReservation(deps, aUser(`user-${randomUUID()}`), reservation.id, aCausation()),
    );

    expect(error).toBeInstanceOf(Forbidden);
    expect(error).toMatchObject({ code: 'FORBIDDEN' });
    expect(reservations.reservations.get(reservation.id)?.status).toBe('CONFIRMED');
    expect(reservations.outbox).toHaveLength(0);
  });

  it('when an ADMIN cancels someone else’s reservation, it is cancelled and the event still names the owner', async () => {
    const { deps, reservations } = aReservationWorld();
    const reservation = reservations.add(aReservation());

    const cancelled = await cancelReservation(deps, anAdmin(), reservation.id, aCausation());

    expect(cancelled.status).toBe('CANCELLED');
    expect(reservations.outbox[0]).toMatchObject({ userId: reservation.userId });
  });

  it('when the reservation is already cancelled, it is refused with RESERVATION_ALREADY_CANCELLED and nothing is published', async () => {
    const { deps, reservations } = aReservationWorld();
    const reservation = reservations.add(
      aReservation({ status: 'CANCELLED', cancelledAt: new Date(NOW.getTime() - HOUR) }),
    );

    const error = await rejectionOf(() =>
      cancelReservation(deps, aUser(reservation.userId), reservation.id, aCausation()),
    );

    expect(error).toBeInstanceOf(ReservationAlreadyCancelled);
    expect(error).toMatchObject({ code: 'RESERVATION_ALREADY_CANCELLED', reservationId: reservation.id });
    expect(reservations.outbox).toHaveLength(0);
  });

  it('when the owner cancels twice, the second attempt is refused with RESERVATION_ALREADY_CANCELLED', async () => {
    const { deps, reservations } = aReservationWorld();
    const reservation = reservations.add(aReservation());
    const owner = aUser(reservation.userId);
    await cancelReservation(deps, owner, reservation.id, aCausation());

    const error = await rejectionOf(() => cancelReservation(deps, owner, reservation.id, aCausation()));

    expect(error).toMatchObject({ code: 'RESERVATION_ALREADY_CANCELLED' });
    expect(reservations.outbox).toHaveLength(1);
  });

  it('when a concurrent cancellation wins between the read and the update, it is refused with RESERVATION_ALREADY_CANCELLED', async () => {
    const { deps, reservations } = aReservationWorld();
    const reservation = reservations.add(aReservation());
    reservations.beforeCancel = () => reservations.add({ ...reservation, status: 'CANCELLED', cancelledAt: NOW });

    const error = await rejectionOf(() =>
      cancelReservation(deps, aUser(reservation.userId), reservation.id, aCausation()),
    );

    expect(error).toBeInstanceOf(ReservationAlreadyCancelled);
    expect(reservations.outbox).toHaveLength(0);
  });

  it('when the reservation does not exist, it is refused with RESERVATION_NOT_FOUND', async () => {
    const { deps } = aReservationWorld();
    const unknownId = randomUUID();

    const error = await rejectionOf(() => cancelReservation(deps, anAdmin(), unknownId, aCausation()));

    expect(error).toBeInstanceOf(ReservationNotFound);
    expect(error).toMatchObject({ code: 'RESERVATION_NOT_FOUND', reservationId: unknownId });
  });

  it('when the caller is anonymous, it is refused with UNAUTHENTICATED', async () => {
    const { deps, reservations } = aReservationWorld();
    const reservation = reservations.add(aReservation());

    const error = await rejectionOf(() => cancelReservation(deps, { kind: 'anonymous' }, reservation.id, aCausation()));

    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('when the id is not a UUID, it is refused naming id', async () => {
    const { deps } = aReservationWorld();

    const error = await rejectionOf(() => cancelReservation(deps, anAdmin(), 'reservation-1', aCausation()));

    expect(error).toBeInstanceOf(InvalidInput);
    expect(error).toMatchObject({ field: 'id' });
  });
});
