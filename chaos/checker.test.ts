import { describe, expect, it } from '@jest/globals';
import { checkHistory, type ReservationRow, type Snapshot, type ViolationKind } from './checker.ts';
import type { Operation } from './history.ts';

const TICKET = '00000000-0000-4000-8000-000000000001';
const OTHER_TICKET = '00000000-0000-4000-8000-000000000002';
const RESERVATION = '10000000-0000-4000-8000-000000000001';
const GHOST = '10000000-0000-4000-8000-0000000000ff';

function aReserve(overrides: Partial<Operation> = {}): Operation {
  return {
    id: 'op-1',
    kind: 'reserve',
    userId: 'alice',
    grade: 'VIP',
    ticketId: TICKET,
    reservationId: RESERVATION,
    outcome: 'ok',
    startedAt: 0,
    endedAt: 1,
    ...overrides,
  };
}

function aReservation(overrides: Partial<ReservationRow> = {}): ReservationRow {
  return {
    id: RESERVATION,
    ticketId: TICKET,
    userId: 'alice',
    grade: 'VIP',
    status: 'CONFIRMED',
    correlationId: 'op-1',
    ...overrides,
  };
}

/** One ticket held by alice's VIP reservation (op-1), everything converged. */
function aConvergedSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  const price = { ticketId: TICKET, basePrice: 10_000, policyDiscount: 1000, vipDiscount: 900, finalPrice: 8100 };
  const reading = { ticketId: TICKET, status: 'RESERVED', vipDiscount: 900, finalPrice: 8100 };
  return {
    tickets: [{ id: TICKET, state: 'RESERVED', heldBy: RESERVATION }],
    reservations: [aReservation()],
    prices: [price],
    appliedVipAdjustments: [{ reservationId: RESERVATION, ticketId: TICKET }],
    apiTickets: [reading],
    ticketBoard: [reading],
    reservationBoard: [{ reservationId: RESERVATION, status: 'CONFIRMED' }],
    unpublishedEvents: 0,
    deadLetters: 0,
    consumers: [{ consumer: 'price', expected: ['e1', 'e2'], applied: ['e1', 'e2'] }],
    duplicateEffects: 0,
    pendingAttempts: 0,
    ...overrides,
  };
}

function kindsOf(history: Operation[], snapshot: Snapshot): ViolationKind[] {
  return checkHistory(history, snapshot).violations.map((violation) => violation.kind);
}

describe('checkHistory', () => {
  it('when every acknowledged operation is reflected and everything converged, it finds nothing', () => {
    expect(kindsOf([aReserve()], aConvergedSnapshot())).toEqual([]);
  });

  it('when a ticket stays RESERVED by a reservation that never existed, it finds a leaked hold', () => {
    const failed = aReserve({ id: 'op-2', outcome: 'failed', code: 'TICKET_SERVICE_UNAVAILABLE' });
    const snapshot = aConvergedSnapshot({
      tickets: [{ id: TICKET, state: 'RESERVED', heldBy: GHOST }],
      reservations: [],
      prices: [{ ticketId: TICKET, basePrice: 10_000, policyDiscount: 1000, vipDiscount: 0, finalPrice: 9000 }],
      appliedVipAdjustments: [],
      apiTickets: [{ ticketId: TICKET, status: 'RESERVED', vipDiscount: 0, finalPrice: 9000 }],
      ticketBoard: [{ ticketId: TICKET, status: 'RESERVED', vipDiscount: 0, finalPrice: 9000 }],
      reservationBoard: [],
    });

    expect(kindsOf([failed], snapshot)).toEqual(['leaked-hold']);
  });

  it('when two CONFIRMED reservations hold one ticket, it finds a double booking', () => {
    const second = aReservation({ id: GHOST, userId: 'bob', grade: 'NORMAL', correlationId: 'op-2' });
    const history = [aReserve(), aReserve({ id: 'op-2', userId: 'bob', grade: 'NORMAL', reservationId: GHOST })];
    const snapshot = aConvergedSnapshot({
      reservations: [aReservation(), second],
      reservationBoard: [
        { reservationId: RESERVATION, status: 'CONFIRMED' },
        { reservationId: GHOST, status: 'CONFIRMED' },
      ],
    });

    expect(kindsOf(history, snapshot)).toContain('double-booked');
  });

  it('when an acknowledged cancellation is not reflected, it counts it lost', () => {
    const cancel = aReserve({ id: 'op-2', kind: 'cancel' });

    expect(kindsOf([aReserve(), cancel], aConvergedSnapshot())).toEqual(['lost']);
  });

  it('when a reserve that failed left a reservation behind, it says so', () => {
    const failed = aReserve({ outcome: 'failed', code: 'TICKET_SERVICE_UNAVAILABLE', reservationId: undefined });

    expect(kindsOf([failed], aConvergedSnapshot())).toEqual(['failed-left-behind']);
  });

  it('when a reserve is indeterminate, its reservation may exist or not', () => {
    const unknown = aReserve({ outcome: 'indeterminate', code: 'TIMEOUT', reservationId: undefined });

    expect(kindsOf([unknown], aConvergedSnapshot())).toEqual([]);
  });

  it('when the board or the price trails the databases, it finds them diverged', () => {
    const snapshot = aConvergedSnapshot({
      tickets: [
        { id: TICKET, state: 'RESERVED', heldBy: RESERVATION },
        { id: OTHER_TICKET, state: 'AVAILABLE', heldBy: null },
      ],
      prices: [
        { ticketId: TICKET, basePrice: 10_000, policyDiscount: 1000, vipDiscount: 900, finalPrice: 8100 },
        { ticketId: OTHER_TICKET, basePrice: 10_000, policyDiscount: 1000, vipDiscount: 900, finalPrice: 8100 },
      ],
      apiTickets: [
        { ticketId: TICKET, status: 'RESERVED', vipDiscount: 900, finalPrice: 8100 },
        { ticketId: OTHER_TICKET, status: 'AVAILABLE', vipDiscount: 900, finalPrice: 8100 },
      ],
      ticketBoard: [{ ticketId: TICKET, status: 'AVAILABLE', vipDiscount: 0, finalPrice: 9000 }],
    });

    expect(new Set(kindsOf([aReserve()], snapshot))).toEqual(new Set(['price-diverged', 'board-diverged']));
  });

  it('when a consumer missed an event or an effect was written twice, it finds both', () => {
    const snapshot = aConvergedSnapshot({
      consumers: [{ consumer: 'ticket', expected: ['e1', 'e2'], applied: ['e1'] }],
      duplicateEffects: 1,
    });

    expect(kindsOf([aReserve()], snapshot).sort()).toEqual(['applied-twice', 'event-lost']);
  });
});
