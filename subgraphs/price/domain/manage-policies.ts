import { assertAdmin, type Caller } from '../../../ticketing/caller.ts';
import { InvalidInput } from '../../../ticketing/errors.ts';
import { assertIntInRange, assertNonEmpty, assertId } from '../../../platform/validation.ts';
import type { NewPolicy, PriceDeps } from './ports.ts';
import type { Price, PricePolicy } from './price.ts';

/** ADMIN: creates or updates a policy by name; the active one prices newly registered tickets. */
export async function setPricePolicy(
  deps: PriceDeps,
  caller: Caller,
  input: { name: string; discountPercent: number; vipDiscountPercent: number; active?: boolean | null },
): Promise<PricePolicy> {
  assertAdmin(caller);
  const name = input.name.trim();
  assertNonEmpty('input.name', name, 100);
  assertIntInRange('input.discountPercent', input.discountPercent, 0, 100);
  assertIntInRange('input.vipDiscountPercent', input.vipDiscountPercent, 0, 100);
  const policy: NewPolicy = {
    name,
    discountPercent: input.discountPercent,
    vipDiscountPercent: input.vipDiscountPercent,
    active: input.active ?? true,
  };
  // New tickets are always priced: the active policy is replaced by activating another, never switched off.
  if (!policy.active && (await deps.prices.findActivePolicy()).name === name) {
    throw new InvalidInput('input.active', 'the active policy stays active until another policy is activated');
  }
  return deps.prices.savePolicy(policy);
}

export function listPricePolicies(deps: PriceDeps): Promise<PricePolicy[]> {
  return deps.prices.listPolicies();
}

export async function findPrice(deps: PriceDeps, ticketId: string): Promise<Price | null> {
  assertId('ticketId', ticketId);
  const [price] = await deps.prices.findPrices([ticketId]);
  return price ?? null;
}
