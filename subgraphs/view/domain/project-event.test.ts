/**
 * The projection rules, without a store: each event's effect on the boards, and the same boards
 * whatever order the events arrive in and however often.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { aSeedScenario, boardEvents, STANDARD_PRICE, VIP_PRICE } from '../test/board-events.ts';
import { toReservationBoardEntry, toTicketBoardEntry } from './board.ts';
import { applyEvent, applyEvents, emptySlice, type TicketSlice } from './project-event.ts';

const START = new Date('2030-01-01T10:00:00.000Z');
const NOW = new Date('2030-01-01T12:00:00.000Z');
const at = (second: number) => new Date(START.getTime() + second * 1000);

function project(ticketId: string, events: readonly EventEnvelope[]): TicketSlice {
  return events.reduce(applyEvent, emptySlice(ticketId));
}

/** What the two boards show of one ticket's slice. */
function boardsOf(slice: TicketSlice, now = NOW) {
  return {
    ticket: slice.ticket && toTicketBoardEntry(slice.ticket, now),
    reservations: slice.reservations
      .map(toReservationBoardEntry)
      .sort((a, b) => (a?.reservationId ?? '').localeCompare(b?.reservationId ?? '')),
  };
}

/** A repeatable shuffle, so a failing order can be reproduced. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('projecting the seed scenario', () => {
  it('when a ticket is registered and priced, the ticket board shows it AVAILABLE with its price', () => {
    const { ticketId, events } = aSeedScenario(START);
    const { ticket } = boardsOf(project(ticketId, events.slice(0, 2)));
    expect(ticket).toEqual({
      ticketId,
      name: expect.any(String),
      status: 'AVAILABLE',
      startsAt: new Date(START.getTime() + 86_400_000),
      expiresAt: new Date(START.getTime() + 2 * 86_400_000),
      currency: 'KRW',
      ...STANDARD_PRICE,
      updatedAt: at(1),
    });
  });

  it('when a VIP reserves, the ticket is RESERVED and both boards show the VIP price', () => {
    const scenario = aSeedScenario(START);
    const { ticket, reservations } = boardsOf(project(scenario.ticketId, scenario.untilReserved));
    expect(ticket).toMatchObject({ status: 'RESERVED', ...VIP_PRICE });
    expect(reservations).toEqual([
      {
        reservationId: scenario.reservationId,
        ticketId: scenario.ticketId,
        ticketName: ticket!.name,
        userId: scenario.userId,
        userGrade: 'VIP',
        status: 'CONFIRMED',
        reservedAt: at(3),
        cancelledAt: null,
        currency: 'KRW',
        finalPrice: VIP_PRICE.finalPrice,
        vipDiscount: VIP_PRICE.vipDiscount,
        updatedAt: at(4),
      },
    ]);
  });

  it('when the reservation is cancelled, the ticket is AVAILABLE again and the VIP discount is gone', () => {
    const scenario = aSeedScenario(START);
    const { ticket, reservations } = boardsOf(project(scenario.ticketId, scenario.events));
    expect(ticket).toMatchObject({ status: 'AVAILABLE', ...STANDARD_PRICE, updatedAt: at(7) });
    expect(reservations).toEqual([
      expect.objectContaining({
        status: 'CANCELLED',
        cancelledAt: at(5),
        finalPrice: STANDARD_PRICE.finalPrice,
        vipDiscount: 0,
        updatedAt: at(7),
      }),
    ]);
  });

  it('derives EXPIRED at read time for an AVAILABLE ticket past its expiry, never for a RESERVED one', () => {
    const scenario = aSeedScenario(START);
    const afterExpiry = new Date(START.getTime() + 3 * 86_400_000);
    expect(boardsOf(project(scenario.ticketId, scenario.events), afterExpiry).ticket?.status).toBe('EXPIRED');
    expect(boardsOf(project(scenario.ticketId, scenario.untilReserved), afterExpiry).ticket?.status).toBe('RESERVED');
  });
});

describe('what each user pays', () => {
  it("shows a NORMAL user the price without VIP discount, even while another user's VIP discount is on the ticket", () => {
    const ticketId = randomUUID();
    const [normal, vip] = [randomUUID(), randomUUID()];
    const slice = project(ticketId, [
      boardEvents.registered(ticketId, at(0)),
      boardEvents.priced(ticketId, at(1)),
      boardEvents.held(ticketId, normal, at(2)),
      boardEvents.reserved(ticketId, normal, 'bob', 'NORMAL', at(3)),
      boardEvents.cancelled(ticketId, normal, 'bob', 'NORMAL', at(4)),
      boardEvents.released(ticketId, normal, at(5)),
      boardEvents.held(ticketId, vip, at(6)),
      boardEvents.reserved(ticketId, vip, 'alice', 'VIP', at(7)),
      boardEvents.vipApplied(ticketId, vip, 'alice', at(8)),
    ]);
    const { ticket, reservations } = boardsOf(slice);
    expect(ticket).toMatchObject({ status: 'RESERVED', vipDiscount: VIP_PRICE.vipDiscount });
    const byUser = Object.fromEntries(reservations.map((r) => [r!.userId, r]));
    expect(byUser.bob).toMatchObject({ status: 'CANCELLED', finalPrice: 90_000, vipDiscount: 0 });
    expect(byUser.alice).toMatchObject({ status: 'CONFIRMED', finalPrice: 81_000, vipDiscount: 9_000 });
  });

  it('shows no price until the ticket is priced', () => {
    const ticketId = randomUUID();
    const reservationId = randomUUID();
    const slice = project(ticketId, [
      boardEvents.registered(ticketId, at(0)),
      boardEvents.reserved(ticketId, reservationId, 'bob', 'NORMAL', at(1)),
    ]);
    expect(boardsOf(slice).ticket).toMatchObject({ currency: null, basePrice: null, finalPrice: null });
    expect(boardsOf(slice).reservations[0]).toMatchObject({ currency: null, finalPrice: null, vipDiscount: null });
  });
});

describe('order tolerance and idempotency', () => {
  it('keeps a price that arrives before its ticket’s registration, and shows the ticket once registered', () => {
    const ticketId = randomUUID();
    const early = project(ticketId, [boardEvents.priced(ticketId, at(1))]);
    expect(early.ticket && toTicketBoardEntry(early.ticket, NOW)).toBeNull();
    const registered = applyEvent(early, boardEvents.registered(ticketId, at(0)));
    expect(boardsOf(registered).ticket).toMatchObject({ status: 'AVAILABLE', ...STANDARD_PRICE, updatedAt: at(1) });
  });

  it('hides a reservation until its TicketReserved arrives, keeping what came before', () => {
    const scenario = aSeedScenario(START);
    const [registered, priced, held, reserved, vipApplied] = scenario.untilReserved;
    const early = project(scenario.ticketId, [registered!, priced!, held!, vipApplied!]);
    expect(boardsOf(early).reservations).toEqual([null]);
    expect(boardsOf(applyEvent(early, reserved!)).reservations[0]).toMatchObject({
      status: 'CONFIRMED',
      finalPrice: VIP_PRICE.finalPrice,
    });
  });

  it('never lets a late TicketHeld hold a ticket whose hold was already released, or take it from a newer hold', () => {
    const ticketId = randomUUID();
    const [first, second] = [randomUUID(), randomUUID()];
    const events = [
      boardEvents.registered(ticketId, at(0)),
      boardEvents.held(ticketId, first, at(1)),
      boardEvents.released(ticketId, first, at(2)),
      boardEvents.held(ticketId, second, at(3)),
    ];
    const reordered = [events[0]!, events[3]!, events[2]!, events[1]!];
    expect(boardsOf(project(ticketId, reordered)).ticket?.status).toBe('RESERVED');
    const releasedFirst = [events[0]!, events[2]!, events[1]!];
    expect(boardsOf(project(ticketId, releasedFirst)).ticket?.status).toBe('AVAILABLE');
  });

  it('ends cancelled and without VIP discount when the cancellation and revert come before the reservation', () => {
    const scenario = aSeedScenario(START);
    const reversed = [...scenario.events].reverse();
    expect(boardsOf(project(scenario.ticketId, reversed))).toEqual(
      boardsOf(project(scenario.ticketId, scenario.events)),
    );
  });

  it('builds the same boards from the seed scenario in any order', () => {
    const scenario = aSeedScenario(START);
    const expected = boardsOf(project(scenario.ticketId, scenario.events));
    for (let seed = 1; seed <= 300; seed++) {
      const order = shuffled(scenario.events, seed);
      expect({ seed, boards: boardsOf(project(scenario.ticketId, order)) }).toEqual({ seed, boards: expected });
    }
  });

  it('changes nothing when an event is applied again', () => {
    const scenario = aSeedScenario(START);
    const once = project(scenario.ticketId, scenario.untilReserved);
    for (const event of scenario.events) {
      const applied = applyEvent(once, event);
      expect(applyEvent(applied, event)).toBe(applied);
    }
  });
});

describe('applying a batch', () => {
  it('returns only the entries and tombstones that changed', () => {
    const scenario = aSeedScenario(START);
    const before = project(scenario.ticketId, scenario.untilReserved);
    const [cancelled, released] = scenario.events.slice(5);
    const changes = applyEvents([before], [cancelled!, released!]);
    expect(changes.tickets).toEqual([expect.objectContaining({ state: 'AVAILABLE' })]);
    expect(changes.reservations).toEqual([expect.objectContaining({ status: 'CANCELLED' })]);
    expect(changes.releasedHolds).toEqual([{ reservationId: scenario.reservationId, ticketId: scenario.ticketId }]);
    expect(applyEvents([before], [scenario.untilReserved[0]!])).toEqual({
      tickets: [],
      reservations: [],
      releasedHolds: [],
    });
  });
});
