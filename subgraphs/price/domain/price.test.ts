import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { computePrice, type PricePolicy } from './price.ts';

function aPolicy(overrides: Partial<PricePolicy> = {}): PricePolicy {
  return {
    id: randomUUID(),
    name: 'standard',
    discountPercent: 10,
    vipDiscountPercent: 10,
    active: true,
    ...overrides,
  };
}

describe('computePrice', () => {
  it('when the customer is not VIP, only the policy discount comes off the base price', () => {
    const price = computePrice(100_000, aPolicy({ discountPercent: 10, vipDiscountPercent: 20 }), false);

    expect(price).toEqual({ basePrice: 100_000, policyDiscount: 10_000, vipDiscount: 0, finalPrice: 90_000 });
  });

  it('when the customer is VIP, the VIP discount comes off the already discounted price, not the base', () => {
    const price = computePrice(100_000, aPolicy({ discountPercent: 10, vipDiscountPercent: 10 }), true);

    // 10 % of 90 000, not 10 % of 100 000.
    expect(price).toEqual({ basePrice: 100_000, policyDiscount: 10_000, vipDiscount: 9_000, finalPrice: 81_000 });
  });

  it('when a discount is a fraction of a unit, it is rounded down so the customer never pays a fraction more', () => {
    // 15 % of 1 001 = 150.15 → 150; 10 % of 851 = 85.1 → 85.
    const price = computePrice(1_001, aPolicy({ discountPercent: 15, vipDiscountPercent: 10 }), true);

    expect(price).toEqual({ basePrice: 1_001, policyDiscount: 150, vipDiscount: 85, finalPrice: 766 });
  });

  it('when a discount would be less than one unit, it rounds down to zero', () => {
    const price = computePrice(9, aPolicy({ discountPercent: 10, vipDiscountPercent: 10 }), true);

    expect(price).toEqual({ basePrice: 9, policyDiscount: 0, vipDiscount: 0, finalPrice: 9 });
  });

  it('when the policy discounts 0 %, the customer pays the base price', () => {
    const price = computePrice(50_000, aPolicy({ discountPercent: 0, vipDiscountPercent: 0 }), true);

    expect(price).toEqual({ basePrice: 50_000, policyDiscount: 0, vipDiscount: 0, finalPrice: 50_000 });
  });

  it('when the policy discounts 0 % but VIPs get a discount, the VIP discount comes off the base price', () => {
    const price = computePrice(50_000, aPolicy({ discountPercent: 0, vipDiscountPercent: 20 }), true);

    expect(price).toEqual({ basePrice: 50_000, policyDiscount: 0, vipDiscount: 10_000, finalPrice: 40_000 });
  });

  it('when the policy discounts 100 %, the ticket is free and there is nothing left for a VIP discount', () => {
    const price = computePrice(50_000, aPolicy({ discountPercent: 100, vipDiscountPercent: 50 }), true);

    expect(price).toEqual({ basePrice: 50_000, policyDiscount: 50_000, vipDiscount: 0, finalPrice: 0 });
  });

  it('when the VIP discount is 100 %, a VIP pays nothing', () => {
    const price = computePrice(50_000, aPolicy({ discountPercent: 10, vipDiscountPercent: 100 }), true);

    expect(price).toEqual({ basePrice: 50_000, policyDiscount: 5_000, vipDiscount: 45_000, finalPrice: 0 });
  });

  it('when the base price is 0, every amount is 0', () => {
    expect(computePrice(0, aPolicy({ discountPercent: 50, vipDiscountPercent: 50 }), true)).toEqual({
      basePrice: 0,
      policyDiscount: 0,
      vipDiscount: 0,
      finalPrice: 0,
    });
  });

  describe('for any base price and any policy from 0 % to 100 %', () => {
    const basePrices = [0, 1, 7, 99, 100, 101, 12_345, 99_999, 1_000_000_000];
    const percents = [0, 1, 3, 33, 50, 67, 99, 100];
    const cases = basePrices.flatMap((basePrice) =>
      percents.flatMap((discountPercent) =>
        percents.flatMap((vipDiscountPercent) =>
          [true, false].map((vipApplied) => ({ basePrice, discountPercent, vipDiscountPercent, vipApplied })),
        ),
      ),
    );

    it('when computed, finalPrice = basePrice - policyDiscount - vipDiscount, in whole units, never negative', () => {
      for (const { basePrice, discountPercent, vipDiscountPercent, vipApplied } of cases) {
        const price = computePrice(basePrice, aPolicy({ discountPercent, vipDiscountPercent }), vipApplied);

        expect(price.basePrice).toBe(basePrice);
        expect(price.finalPrice).toBe(basePrice - price.policyDiscount - price.vipDiscount);
        expect(price.finalPrice).toBeGreaterThanOrEqual(0);
        expect(price.finalPrice).toBeLessThanOrEqual(basePrice);
        for (const amount of [price.policyDiscount, price.vipDiscount, price.finalPrice]) {
          expect(Number.isInteger(amount)).toBe(true);
          expect(amount).toBeGreaterThanOrEqual(0);
        }
        if (!vipApplied) expect(price.vipDiscount).toBe(0);
      }
    });
  });
});
