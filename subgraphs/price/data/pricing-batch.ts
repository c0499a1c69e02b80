/**
 * A batch of price events in one PostgreSQL transaction, in a fixed number of statements however
 * many events it holds:
 *
 * 1. the advisory locks of its tickets, in one order for every replica (no deadlock between two
 *    batches), so the events of one ticket are applied one batch at a time; then, in the same
 *    statement, the inbox rows of its events (those recorded before are skipped);
 * 2. everything the steps read: the tickets' prices and policies, their reservations' VIP
 *    adjustments and the active policy, read after the locks were granted;
 * 3. what the steps wrote: prices, adjustments and outbox rows, in one statement.
 *
 * Each round trip is on the saga's path (TicketReserved → VipDiscountApplied), so there are no
 * more of them than the locks' order needs: three, BEGIN leaving with the first statement and
 * COMMIT with the last (pool-transaction.ts).
 *
 * The steps run in between on that state in memory (`PricingTransaction`), each seeing what the
 * steps before it wrote.
 */
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import type { PoolTransaction } from '../../../platform/database/pool-transaction.ts';
import { outboxColumns } from '../../../platform/events/outbox.ts';
import type { PricingTransaction, VipAdjustmentState } from '../domain/ports.ts';
import type { Price, PricePolicy } from '../domain/price.ts';

const POLICY_JSON = `json_build_object('id', pp.id, 'name', pp.name, 'discountPercent', pp.discount_percent,
  'vipDiscountPercent', pp.vip_discount_percent, 'active', pp.active)`;

/**
 * The locks, then the inbox rows as `recordBatchInInbox` writes them: the insert reads the locks'
 * count, so every lock is granted before its first row is written (and a batch that waits for a
 * lock holds no inbox row another replica could wait on). The state is read by the next
 * statement, whose snapshot is taken once the locks are granted.
 */
const LOCK_TICKETS_AND_RECORD_IN_INBOX = `WITH locked AS (
    SELECT count(pg_advisory_xact_lock(h)) AS locked
    FROM (SELECT DISTINCT hashtext(t) AS h FROM unnest($1::text[]) AS t ORDER BY 1) AS ordered
  )
  INSERT INTO inbox_event (id, type)
  SELECT e.id, e.type FROM locked, unnest($2::uuid[], $3::text[]) AS e(id, type)
  ON CONFLICT (id) DO NOTHING
  RETURNING id::text AS id`;

const READ = `SELECT
    (SELECT coalesce(json_agg(json_build_object('ticketId', p.ticket_id, 'currency', p.currency,
        'basePrice', p.base_price, 'policyDiscount', p.policy_discount, 'vipDiscount', p.vip_discount,
        'finalPrice', p.final_price, 'updatedAt', p.updated_at, 'policy', ${POLICY_JSON})), '[]')
      FROM price p JOIN price_policy pp ON pp.id = p.policy_id WHERE p.ticket_id = ANY($1::uuid[]))::text AS prices,
    (SELECT coalesce(json_agg(json_build_object('reservationId', a.reservation_id, 'ticketId', a.ticket_id,
        'state', a.state)), '[]')
      FROM vip_adjustment a WHERE a.ticket_id = ANY($1::uuid[]) OR a.reservation_id = ANY($2::uuid[]))::text
      AS adjustments,
    (SELECT ${POLICY_JSON} FROM price_policy pp WHERE pp.active LIMIT 1)::text AS "activePolicy"`;

const WRITE = `WITH prices AS (
    INSERT INTO price (ticket_id, currency, base_price, policy_discount, vip_discount, final_price, policy_id, updated_at)
    SELECT t, c, b, pd, vd, fp, pol, now()
    FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::uuid[]) AS x(t, c, b, pd, vd, fp, pol)
    ON CONFLICT (ticket_id) DO UPDATE SET currency = EXCLUDED.currency, base_price = EXCLUDED.base_price,
      policy_discount = EXCLUDED.policy_discount, vip_discount = EXCLUDED.vip_discount,
      final_price = EXCLUDED.final_price, policy_id = EXCLUDED.policy_id, updated_at = now()
  ), adjustments AS (
    INSERT INTO vip_adjustment (reservation_id, ticket_id, state, updated_at)
    SELECT r, t, s::"VipAdjustmentState", now() FROM unnest($8::uuid[], $9::uuid[], $10::text[]) AS x(r, t, s)
    ON CONFLICT (reservation_id) DO UPDATE SET state = EXCLUDED.state, updated_at = now()
  )
  INSERT INTO outbox_event (id, type, subject, envelope, occurred_at)
  SELECT id, type, subject, envelope::jsonb, occurred_at
  FROM unnest($11::uuid[], $12::text[], $13::text[], $14::text[], $15::timestamptz[]) AS x(id, type, subject, envelope, occurred_at)`;

type SavedPrice = Parameters<PricingTransaction['savePrice']>[0];
interface Adjustment {
  reservationId: string;
  ticketId: string;
  state: VipAdjustmentState;
}
type PriceJson = Omit<Price, 'updatedAt'> & { updatedAt: string };

/**
 * Applies `causes` (already known to concern price) in `tx`. Returns whether it wrote outbox rows
 * (the relay is then woken after the commit).
 */
export async function applyPricingBatch(
  tx: PoolTransaction,
  causes: readonly EventEnvelope[],
  step: (pricing: PricingTransaction, cause: EventEnvelope) => Promise<void>,
): Promise<boolean> {
  const ticketIds = [...new Set(causes.map((cause) => cause.ticketId!))];
  const reservationIds = [...new Set(causes.flatMap((cause) => (cause.reservationId ? [cause.reservationId] : [])))];
  const recorded = await tx.$queryRawUnsafe<{ id: string }[]>(
    LOCK_TICKETS_AND_RECORD_IN_INBOX,
    ticketIds,
    causes.map((cause) => cause.id),
    causes.map((cause) => cause.type),
  );
  const fresh = new Set(recorded.map((row) => row.id));
  if (fresh.size === 0) return false;
  const [state] = await tx.$queryRawUnsafe<{ prices: string; adjustments: string; activePolicy: string | null }[]>(
    READ,
    ticketIds,
    reservationIds,
  );

  const policies = new Map<string, PricePolicy>();
  const prices = new Map<string, Price>();
  for (const row of JSON.parse(state!.prices) as PriceJson[]) {
    prices.set(row.ticketId, { ...row, updatedAt: new Date(row.updatedAt) });
    policies.set(row.policy.id, row.policy);
  }
  const active = state!.activePolicy ? (JSON.parse(state!.activePolicy) as PricePolicy) : null;
  if (active) policies.set(active.id, active);
  const adjustments = new Map<string, Adjustment>();
  for (const row of JSON.parse(state!.adjustments) as Adjustment[]) adjustments.set(row.reservationId, row);

  const savedPrices = new Map<string, SavedPrice>();
  const savedAdjustments = new Map<string, Adjustment>();
  const published: EventEnvelope[] = [];
  const pricing: PricingTransaction = {
    async activePolicy() {
      if (!active) throw new Error('no active price policy');
      return active;
    },
    async findPrice(ticketId) {
      return prices.get(ticketId) ?? null;
    },
    async savePrice(price) {
      const policy = policies.get(price.policyId);
      if (!policy) throw new Error(`price policy ${price.policyId} was not read in this transaction`);
      prices.set(price.ticketId, { ...price, policy, updatedAt: new Date() });
      savedPrices.set(price.ticketId, price);
    },
    async findAdjustment(reservationId) {
      return adjustments.get(reservationId)?.state ?? null;
    },
    async saveAdjustment(reservationId, ticketId, adjustmentState) {
      const adjustment = { reservationId, ticketId, state: adjustmentState };
      adjustments.set(reservationId, adjustment);
      savedAdjustments.set(reservationId, adjustment);
    },
    async hasAppliedAdjustment(ticketId) {
      for (const adjustment of adjustments.values())
        if (adjustment.ticketId === ticketId && adjustment.state === 'APPLIED') return true;
      return false;
    },
    async publish(event) {
      published.push(event);
    },
  };
  // An event twice in one batch is applied once, like an event delivered twice.
  for (const cause of causes) if (fresh.delete(cause.id)) await step(pricing, cause);

  if (savedPrices.size + savedAdjustments.size + published.length === 0) return false;
  const priceRows = [...savedPrices.values()];
  const adjustmentRows = [...savedAdjustments.values()];
  // The last statement: it leaves with the COMMIT.
  await tx.executeAndCommit(
    WRITE,
    priceRows.map((p) => p.ticketId),
    priceRows.map((p) => p.currency),
    priceRows.map((p) => p.basePrice),
    priceRows.map((p) => p.policyDiscount),
    priceRows.map((p) => p.vipDiscount),
    priceRows.map((p) => p.finalPrice),
    priceRows.map((p) => p.policyId),
    adjustmentRows.map((a) => a.reservationId),
    adjustmentRows.map((a) => a.ticketId),
    adjustmentRows.map((a) => a.state),
    ...outboxColumns(published),
  );
  return published.length > 0;
}
