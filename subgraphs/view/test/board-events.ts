/**
 * Test-data builders for the view: events as their producers publish them, with explicit
 * occurrence times, and docs/architecture.md §3's scenario (register → price → VIP reserve → cancel) as one list.
 */
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { newEvent } from '../../../ticketing/events/envelope.ts';

const DAY = 86_400_000;
const causation = { correlationId: 'view-test', causationId: null };

export interface PriceAmounts {
  basePrice: number;
  policyDiscount: number;
  vipDiscount: number;
  finalPrice: number;
}

/** 100 000 KRW, the standard policy's 10 %, and a VIP's further 10 % while one holds it. */
export const STANDARD_PRICE: PriceAmounts = {
  basePrice: 100_000,
  policyDiscount: 10_000,
  vipDiscount: 0,
  finalPrice: 90_000,
};
export const VIP_PRICE: PriceAmounts = {
  basePrice: 100_000,
  policyDiscount: 10_000,
  vipDiscount: 9_000,
  finalPrice: 81_000,
};

const POLICY_ID = '00000000-0000-4000-8000-00000000a11c';

export const boardEvents = {
  registered(
    ticketId: string,
    at: Date,
    overrides: { name?: string; expiresAt?: Date; basePrice?: number } = {},
  ): EventEnvelope<'TicketRegistered'> {
    return newEvent(
      'TicketRegistered',
      { ticketId },
      {
        name: overrides.name ?? `Board show ${ticketId.slice(0, 8)}`,
        startsAt: new Date(at.getTime() + DAY).toISOString(),
        expiresAt: (overrides.expiresAt ?? new Date(at.getTime() + 2 * DAY)).toISOString(),
        basePrice: overrides.basePrice ?? STANDARD_PRICE.basePrice,
        currency: 'KRW',
      },
      causation,
      at,
    );
  },
  priced(ticketId: string, at: Date, amounts: PriceAmounts = STANDARD_PRICE): EventEnvelope<'PriceAssigned'> {
    return newEvent('PriceAssigned', { ticketId }, { currency: 'KRW', policyId: POLICY_ID, ...amounts }, causation, at);
  },
  held(ticketId: string, reservationId: string, at: Date): EventEnvelope<'TicketHeld'> {
    return newEvent('TicketHeld', { ticketId, reservationId }, {}, causation, at);
  },
  released(ticketId: string, reservationId: string, at: Date): EventEnvelope<'TicketReleased'> {
    return newEvent('TicketReleased', { ticketId, reservationId }, {}, causation, at);
  },
  reserved(
    ticketId: string,
    reservationId: string,
    userId: string,
    userGrade: 'NORMAL' | 'VIP',
    at: Date,
  ): EventEnvelope<'TicketReserved'> {
    return newEvent('TicketReserved', { ticketId, reservationId, userId }, { userGrade }, causation, at);
  },
  cancelled(
    ticketId: string,
    reservationId: string,
    userId: string,
    userGrade: 'NORMAL' | 'VIP',
    at: Date,
  ): EventEnvelope<'ReservationCancelled'> {
    return newEvent('ReservationCancelled', { ticketId, reservationId, userId }, { userGrade }, causation, at);
  },
  vipApplied(
    ticketId: string,
    reservationId: string,
    userId: string,
    at: Date,
    amounts: PriceAmounts = VIP_PRICE,
  ): EventEnvelope<'VipDiscountApplied'> {
    return newEvent(
      'VipDiscountApplied',
      { ticketId, reservationId, userId },
      { currency: 'KRW', policyId: POLICY_ID, ...amounts },
      causation,
      at,
    );
  },
  vipReverted(
    ticketId: string,
    reservationId: string,
    userId: string,
    at: Date,
    amounts: PriceAmounts = STANDARD_PRICE,
  ): EventEnvelope<'VipDiscountReverted'> {
    return newEvent(
      'VipDiscountReverted',
      { ticketId, reservationId, userId },
      { currency: 'KRW', policyId: POLICY_ID, ...amounts },
      causation,
      at,
    );
  },
};

export interface SeedScenario {
  ticketId: string;
  reservationId: string;
  userId: string;
  /** In the order the producers publish them, one second apart. */
  events: EventEnvelope[];
  /** The events up to the VIP discount: the reservation is live. */
  untilReserved: EventEnvelope[];
}

/** docs/architecture.md §3's story for one ticket: registered, priced, reserved by a VIP (discounted), cancelled. */
export function aSeedScenario(start: Date = new Date(), userId = `vip-${randomUUID().slice(0, 8)}`): SeedScenario {
  const ticketId = randomUUID();
  const reservationId = randomUUID();
  const at = (second: number) => new Date(start.getTime() + second * 1000);
  const untilReserved = [
    boardEvents.registered(ticketId, at(0)),
    boardEvents.priced(ticketId, at(1)),
    boardEvents.held(ticketId, reservationId, at(2)),
    boardEvents.reserved(ticketId, reservationId, userId, 'VIP', at(3)),
    boardEvents.vipApplied(ticketId, reservationId, userId, at(4)),
  ];
  const events = [
    ...untilReserved,
    boardEvents.cancelled(ticketId, reservationId, userId, 'VIP', at(5)),
    boardEvents.released(ticketId, reservationId, at(6)),
    boardEvents.vipReverted(ticketId, reservationId, userId, at(7)),
  ];
  return { ticketId, reservationId, userId, events, untilReserved };
}
