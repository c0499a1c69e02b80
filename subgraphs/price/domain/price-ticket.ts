/**
 * The price side of the saga. Each step is idempotent (the inbox) and tolerates reordering:
 * VIP adjustments are kept per reservation, and a price is always recomputed from them, so a
 * reservation seen before its ticket's registration, or a cancellation seen before its
 * reservation, still ends in the right price. A batch of events is applied in one transaction,
 * each step on what the steps before it wrote.
 */
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { causedBy, newEvent } from '../../../ticketing/events/envelope.ts';
import type { PriceDeps, PricingTransaction } from './ports.ts';
import { computePrice, type Price } from './price.ts';

type PriceEvent = EventEnvelope<'TicketRegistered' | 'TicketReserved' | 'ReservationCancelled'>;

/** The events price reacts to (a NORMAL user's reservation changes no price). */
export const PRICE_EVENT_TYPES = ['TicketRegistered', 'TicketReserved', 'ReservationCancelled'] as const;

/** Applies the events that concern a price, in order, in one transaction; the rest change nothing. */
export async function applyPriceEvents(deps: PriceDeps, events: readonly EventEnvelope[]): Promise<void> {
  const relevant = events.filter(concernsPrice);
  if (relevant.length === 0) return;
  await deps.prices.applyInOneTransaction(relevant, (tx, event) => applyStep(tx, event as PriceEvent));
}

function concernsPrice(event: EventEnvelope): event is PriceEvent {
  switch (event.type) {
    case 'TicketRegistered':
      return !!event.ticketId;
    case 'TicketReserved':
    case 'ReservationCancelled':
      return (
        !!event.ticketId && !!event.reservationId && (event as EventEnvelope<'TicketReserved'>).data.userGrade === 'VIP'
      );
    default:
      return false;
  }
}

function applyStep(tx: PricingTransaction, event: PriceEvent): Promise<void> {
  switch (event.type) {
    case 'TicketRegistered':
      return assignPrice(tx, event as EventEnvelope<'TicketRegistered'>);
    case 'TicketReserved':
      return applyVipDiscount(tx, event as EventEnvelope<'TicketReserved'>);
    case 'ReservationCancelled':
      return revertVipDiscount(tx, event as EventEnvelope<'ReservationCancelled'>);
  }
}

/** TicketRegistered → the base price, discounted by the active policy. */
async function assignPrice(tx: PricingTransaction, registered: EventEnvelope<'TicketRegistered'>): Promise<void> {
  const ticketId = registered.ticketId!;
  if (await tx.findPrice(ticketId)) return;
  const policy = await tx.activePolicy();
  const amounts = computePrice(registered.data.basePrice, policy, await tx.hasAppliedAdjustment(ticketId));
  const price = { ticketId, currency: registered.data.currency, policyId: policy.id, ...amounts };
  await tx.savePrice(price);
  await tx.publish(newEvent('PriceAssigned', { ticketId }, { ...dataOf(price) }, causedBy(registered)));
}

/** TicketReserved by a VIP → the VIP discount on that ticket's price. */
async function applyVipDiscount(tx: PricingTransaction, reserved: EventEnvelope<'TicketReserved'>): Promise<void> {
  const ticketId = reserved.ticketId!;
  const reservationId = reserved.reservationId!;
  // A cancellation that arrived first left a REVERTED tombstone: the discount stays off.
  if (await tx.findAdjustment(reservationId)) return;
  await tx.saveAdjustment(reservationId, ticketId, 'APPLIED');
  await repriceAndPublish(tx, ticketId, reserved, 'VipDiscountApplied');
}

/** ReservationCancelled by a VIP → the VIP discount of that reservation reverted. */
async function revertVipDiscount(
  tx: PricingTransaction,
  cancelled: EventEnvelope<'ReservationCancelled'>,
): Promise<void> {
  const ticketId = cancelled.ticketId!;
  const reservationId = cancelled.reservationId!;
  const state = await tx.findAdjustment(reservationId);
  if (state === 'REVERTED') return;
  await tx.saveAdjustment(reservationId, ticketId, 'REVERTED');
  if (state === 'APPLIED') await repriceAndPublish(tx, ticketId, cancelled, 'VipDiscountReverted');
}

async function repriceAndPublish(
  tx: PricingTransaction,
  ticketId: string,
  cause: EventEnvelope,
  type: 'VipDiscountApplied' | 'VipDiscountReverted',
): Promise<void> {
  const current = await tx.findPrice(ticketId);
  // Not priced yet: the registration will apply the adjustment when it arrives.
  if (!current) return;
  const amounts = computePrice(current.basePrice, current.policy, await tx.hasAppliedAdjustment(ticketId));
  const price = { ticketId, currency: current.currency, policyId: current.policy.id, ...amounts };
  await tx.savePrice(price);
  await tx.publish(
    newEvent(
      type,
      { ticketId, reservationId: cause.reservationId, userId: cause.userId },
      dataOf(price),
      causedBy(cause),
    ),
  );
}

function dataOf(
  price: Pick<Price, 'currency' | 'basePrice' | 'policyDiscount' | 'vipDiscount' | 'finalPrice'> & { policyId: string },
) {
  return {
    currency: price.currency,
    basePrice: price.basePrice,
    policyDiscount: price.policyDiscount,
    vipDiscount: price.vipDiscount,
    finalPrice: price.finalPrice,
    policyId: price.policyId,
  };
}
