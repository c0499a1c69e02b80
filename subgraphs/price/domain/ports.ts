/** What the price domain needs from the outside world; implemented in data/. */
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import type { Price, PriceAmounts, PricePolicy } from './price.ts';

export type VipAdjustmentState = 'APPLIED' | 'REVERTED';

export interface NewPolicy {
  name: string;
  discountPercent: number;
  vipDiscountPercent: number;
  active: boolean;
}

/** Reads and writes inside one transaction that holds the locks of the tickets it touches. */
export interface PricingTransaction {
  activePolicy(): Promise<PricePolicy>;
  findPrice(ticketId: string): Promise<Price | null>;
  savePrice(price: { ticketId: string; currency: string; policyId: string } & PriceAmounts): Promise<void>;
  findAdjustment(reservationId: string): Promise<VipAdjustmentState | null>;
  saveAdjustment(reservationId: string, ticketId: string, state: VipAdjustmentState): Promise<void>;
  hasAppliedAdjustment(ticketId: string): Promise<boolean>;
  /** Writes the event to the outbox in this transaction. */
  publish(event: EventEnvelope): Promise<void>;
}

export interface PriceRepository {
  /**
   * Applies `causes` in one transaction that holds the locks of their tickets and records them in
   * the inbox: `step` runs for each cause not processed before, in order, and sees what the
   * steps before it wrote. All of them commit, or none.
   */
  applyInOneTransaction(
    causes: readonly EventEnvelope[],
    step: (tx: PricingTransaction, cause: EventEnvelope) => Promise<void>,
  ): Promise<void>;
  findPrices(ticketIds: readonly string[]): Promise<Price[]>;
  listPolicies(): Promise<PricePolicy[]>;
  findActivePolicy(): Promise<PricePolicy>;
  /** Creates or updates the policy by name; making it active deactivates the previous one. */
  savePolicy(policy: NewPolicy): Promise<PricePolicy>;
}

export interface PriceDeps {
  prices: PriceRepository;
}
