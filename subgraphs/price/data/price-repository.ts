import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inPoolTransaction } from '../../../platform/database/pool-transaction.ts';
import type { PricePolicy as PolicyRow } from '../../../prisma/price/client/client.ts';
import type { KeyedReads, KeyedStatement } from '../../../platform/database/keyed-reads.ts';
import type { PriceRepository } from '../domain/ports.ts';
import type { Price, PricePolicy } from '../domain/price.ts';
import { applyPricingBatch } from './pricing-batch.ts';
import type { PriceDatabase } from './prisma.ts';

/** A price with its policy as the raw join reads it. */
interface PriceSqlRow {
  ticket_id: string;
  currency: string;
  base_price: number;
  policy_discount: number;
  vip_discount: number;
  final_price: number;
  updated_at: Date;
  policy_id: string;
  policy_name: string;
  discount_percent: number;
  vip_discount_percent: number;
  policy_active: boolean;
}

function toPolicy(row: PolicyRow): PricePolicy {
  return {
    id: row.id,
    name: row.name,
    discountPercent: row.discountPercent,
    vipDiscountPercent: row.vipDiscountPercent,
    active: row.active,
  };
}

// Every federated read that reaches a price (`Ticket.price`): one join, so no second query for the policy.
const PRICES_BY_TICKET_IDS: KeyedStatement = {
  name: 'prices_by_ticket_ids',
  text: `SELECT p.ticket_id, p.currency, p.base_price, p.policy_discount, p.vip_discount, p.final_price, p.updated_at,
       pp.id AS policy_id, pp.name AS policy_name, pp.discount_percent, pp.vip_discount_percent,
       pp.active AS policy_active
FROM price p JOIN price_policy pp ON pp.id = p.policy_id
WHERE p.ticket_id = ANY($1::uuid[])`,
};

/**
 * @param afterCommit called after a transaction that may have written outbox events commits
 * @param reads the pool's keyed reads (platform/database/keyed-reads.ts), for the look-ups every federated read runs
 * @param pool the pool under `db`: a batch of events goes straight to it, not through a Prisma
 *   transaction, being on every saga's path (see pool-transaction.ts)
 */
export function createPriceRepository(
  db: PriceDatabase,
  afterCommit: () => void,
  reads: KeyedReads,
  pool: pg.Pool,
): PriceRepository {
  return {
    async applyInOneTransaction(causes, step) {
      const published = await inPoolTransaction(pool, (tx) => applyPricingBatch(tx, causes, step));
      if (published) afterCommit();
    },

    async findPrices(ticketIds) {
      const rows = await reads<PriceSqlRow>(PRICES_BY_TICKET_IDS, [ticketIds]);
      return rows.map((row): Price => ({
        ticketId: row.ticket_id,
        currency: row.currency,
        basePrice: row.base_price,
        policyDiscount: row.policy_discount,
        vipDiscount: row.vip_discount,
        finalPrice: row.final_price,
        policy: {
          id: row.policy_id,
          name: row.policy_name,
          discountPercent: row.discount_percent,
          vipDiscountPercent: row.vip_discount_percent,
          active: row.policy_active,
        },
        updatedAt: row.updated_at,
      }));
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
