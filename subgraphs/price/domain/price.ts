/** Pricing rules: a policy discount off the base price, then a VIP discount off what remains. */
export interface PricePolicy {
  id: string;
  name: string;
  discountPercent: number;
  vipDiscountPercent: number;
  active: boolean;
}

export interface Price {
  ticketId: string;
  currency: string;
  basePrice: number;
  policyDiscount: number;
  vipDiscount: number;
  finalPrice: number;
  policy: PricePolicy;
  updatedAt: Date;
}

export type PriceAmounts = Pick<Price, 'basePrice' | 'policyDiscount' | 'vipDiscount' | 'finalPrice'>;

/** Discounts round down to whole units of the currency: the customer never pays a fraction more. */
export function computePrice(basePrice: number, policy: PricePolicy, vipApplied: boolean): PriceAmounts {
  const policyDiscount = Math.floor((basePrice * policy.discountPercent) / 100);
  const discounted = basePrice - policyDiscount;
  const vipDiscount = vipApplied ? Math.floor((discounted * policy.vipDiscountPercent) / 100) : 0;
  return { basePrice, policyDiscount, vipDiscount, finalPrice: discounted - vipDiscount };
}
