import { randomUUID } from 'node:crypto';
import type { Prisma, PricePolicy as PolicyRow } from '../../../prisma/price/client/client.ts';
import type { PriceRepository } from '../domain/ports.ts';
import type { Price, PricePolicy } from '../domain/price.ts';
import { applyPricingBatch } from './pricing-batch.ts';
import type { PriceDatabase } from './prisma.ts';

type PriceRow = Prisma.PriceGetPayload<{ include: { policy: true } }>;

function toPolicy(row: PolicyRow): PricePolicy {
  return {
    id: row.id,
    name: row.name,
    discountPercent: row.discountPercent,
    vipDiscountPercent: row.vipDiscountPercent,
    active: row.active,
  };
}

function toPrice(row: PriceRow): Price {
  return {
    ticketId: row.ticketId,
    currency: row.currency,
    basePrice: row.basePrice,
    policyDiscount: row.policyDiscount,
    vipDiscount: row.vipDiscount,
    finalPrice: row.finalPrice,
    policy: toPolicy(row.policy),
    updatedAt: row.updatedAt,
  };
}

/**
 * @param afterCommit called after a transaction that may have written outbox events commits
 */
export function createPriceRepository(db: PriceDatabase, afterCommit: () => void): PriceRepository {
  return {
    async applyInOneTransaction(causes, step) {
      const published = await db.$transaction((tx) => applyPricingBatch(tx, causes, step));
      if (published) afterCommit();
    },

    async findPrices(ticketIds) {
      const rows = await db.price.findMany({ where: { ticketId: { in: [...ticketIds] } }, include: { policy: true } });
      return rows.map(toPrice);
    },

    async listPolicies() {
      const rows = await db.pricePolicy.findMany({ orderBy: [{ active: 'desc' }, { createdAt: 'asc' }] });
      return rows.map(toPolicy);
    },

    async findActivePolicy() {
      return toPolicy(await db.pricePolicy.findFirstOrThrow({ where: { active: true } }));
    },

    async savePolicy(policy) {
      const row = await db.$transaction(async (tx) => {
        // Serialise policy changes so two admins cannot leave two active policies.
        await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(hashtext('price_policy'))");
        if (policy.active)
          await tx.pricePolicy.updateMany({
            where: { active: true, NOT: { name: policy.name } },
            data: { active: false },
          });
        return tx.pricePolicy.upsert({
          where: { name: policy.name },
          create: { id: randomUUID(), ...policy },
          update: policy,
        });
      });
      return toPolicy(row);
    },
  };
}
