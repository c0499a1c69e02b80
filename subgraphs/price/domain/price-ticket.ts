/**
 * The price side of the saga. Each step is idempotent (the inbox) and tolerates reordering:
 * VIP adjustments are kept per reservation, and a price is always recomputed from them, so a
 * reservation seen before its ticket's registration, or a cancellation seen before its
 * reservation, still ends in the right price.
 */
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { causedBy, newEvent } from '../../../ticketing/events/envelope.ts';
import type { PriceDeps, PricingTransaction } from './ports.ts';
import { computePrice, type Price } from './price.ts';

/** TicketRegistered → the base price, discounted by the active policy. */
export async function assignPrice(deps: PriceDeps, registered: EventEnvelope<'TicketRegistered'>): Promise<void> {
  const ticketId = registered.ticketId!;
  await deps.prices.handle(ticketId, registered, async (tx) => {
    if (await tx.findPrice(ticketId)) return;
    const policy = await tx.activePolicy();
    const amounts = computePrice(registered.data.basePrice, policy, await tx.hasAppliedAdjustment(ticketId));
    const price = { ticketId, currency: registered.data.currency, policyId: policy.id, ...amounts };
    await tx.savePrice(price);
    await tx.publish(newEvent('PriceAssigned', { ticketId }, { ...dataOf(price) }, causedBy(registered)));
  });
}

/** TicketReserved by a VIP → the VIP discount on that ticket's price. */
export async function applyVipDiscount(deps: PriceDeps, reserved: EventEnvelope<'TicketReserved'>): Promise<void> {
  const { ticketId, reservationId } = reserved;
  if (!ticketId || !reservationId || reserved.data.userGrade !== 'VIP') return;
  await deps.prices.handle(ticketId, reserved, async (tx) => {
    // A cancellation that arrived first left a REVERTED tombstone: the discount stays off.
    if (await tx.findAdjustment(reservationId)) return;
    await tx.saveAdjustment(reservationId, ticketId, 'APPLIED');
    await repriceAndPublish(tx, ticketId, reserved, 'VipDiscountApplied');
  });
}

/** ReservationCancelled → the VIP discount of that reservation reverted. */
export async function revertVipDiscount(
  deps: PriceDeps,
  cancelled: EventEnvelope<'ReservationCancelled'>,
): Promise<void> {
  const { ticketId, reservationId } = cancelled;
  if (!ticketId || !reservationId || cancelled.data.userGrade !== 'VIP') return;
  await deps.prices.handle(ticketId, cancelled, async (tx) => {
    const state = await tx.findAdjustment(reservationId);
    if (state === 'REVERTED') return;
    await tx.saveAdjustment(reservationId, ticketId, 'REVERTED');
    if (state === 'APPLIED') await repriceAndPublish(tx, ticketId, cancelled, 'VipDiscountReverted');
  });
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
