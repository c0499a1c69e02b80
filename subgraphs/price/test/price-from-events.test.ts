/**
 * The price subgraph against real PostgreSQL and NATS: prices come only from events, each event
 * is applied once however often it arrives, and reordered events still end in the right price.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphql } from '../../../operations/client.ts';
import {
  PriceDocument,
  PricePoliciesDocument,
  SetPricePolicyDocument,
} from '../../../operations/documents.generated.ts';
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { newEvent } from '../../../ticketing/events/envelope.ts';
import type { RunningSubgraph } from '../../../platform/subgraph-process.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { createTestStream, type TestStream } from '../../../test/support/nats.ts';
import { createTestPublisher, type TestPublisher } from '../../../test/support/publisher.ts';
import { testServiceEnv } from '../../../test/support/supergraph.ts';
import { adminToken } from '../../../test/support/tokens.ts';
import { loadPriceConfig } from '../config.ts';
import { startPriceService } from '../service.ts';

let database: TestDatabase;
let stream: TestStream;
let price: RunningSubgraph;
let publisher: TestPublisher;
let priceConsumer: string;

const causation = { correlationId: 'price-test', causationId: null };

function registered(ticketId: string, basePrice: number): EventEnvelope<'TicketRegistered'> {
  const now = Date.now();
  return newEvent(
    'TicketRegistered',
    { ticketId },
    {
      name: 'Event-sourced show',
      startsAt: new Date(now + 86_400_000).toISOString(),
      expiresAt: new Date(now + 172_800_000).toISOString(),
      basePrice,
      currency: 'KRW',
    },
    causation,
  );
}

const reserved = (ticketId: string, reservationId: string, userGrade: 'VIP' | 'NORMAL' = 'VIP') =>
  newEvent('TicketReserved', { ticketId, reservationId, userId: 'u-1' }, { userGrade }, causation);

const cancelled = (ticketId: string, reservationId: string, userGrade: 'VIP' | 'NORMAL' = 'VIP') =>
  newEvent('ReservationCancelled', { ticketId, reservationId, userId: 'u-1' }, { userGrade }, causation);

async function priceOf(ticketId: string) {
  const result = await graphql(price.url, PriceDocument, { variables: { ticketId } });
  expect(result.errors).toBeUndefined();
  return result.data!.price;
}

/** Waits until price has handled every event published so far. */
const consumed = () => stream.consumedBy(priceConsumer);

beforeAll(async () => {
  [database, stream] = [await createTestDatabase('price'), createTestStream()];
  priceConsumer = `price_${stream.suffix}`;
  price = await startPriceService(
    loadPriceConfig({ ...testServiceEnv(stream, database.url), PRICE_CONSUMER: priceConsumer }),
  );
  await price.eventsAttached;
  publisher = await createTestPublisher(stream);
});

afterAll(async () => {
  await publisher?.close();
  await price?.stop();
  await database?.drop();
  await stream?.delete();
});

describe('price from events', () => {
  it('assigns the base price and the active policy discount when a ticket is registered', async () => {
    const ticketId = randomUUID();
    await publisher.publish(registered(ticketId, 30_000));
    await eventually(async () =>
      expect(await priceOf(ticketId)).toEqual({
        ticketId,
        basePrice: 30_000,
        policyDiscount: 3_000,
        vipDiscount: 0,
        finalPrice: 27_000,
        currency: 'KRW',
      }),
    );
  });

  it('applies a VIP reservation’s discount once, however often the event is delivered', async () => {
    const ticketId = randomUUID();
    const reservationId = randomUUID();
    await publisher.publish(registered(ticketId, 10_000));
    const event = reserved(ticketId, reservationId);
    await publisher.publish(event);
    await publisher.publishAgain(event);
    await publisher.publishAgain(event);
    await consumed();
    expect(await priceOf(ticketId)).toMatchObject({ vipDiscount: 900, finalPrice: 8_100 });
    const applied = await database.query(
      `SELECT id FROM outbox_event WHERE type = 'VipDiscountApplied' AND envelope->>'reservationId' = $1`,
      [reservationId],
    );
    expect(applied).toHaveLength(1);
  });

  it('gives a NORMAL user no VIP discount', async () => {
    const ticketId = randomUUID();
    await publisher.publish(registered(ticketId, 10_000));
    await publisher.publish(reserved(ticketId, randomUUID(), 'NORMAL'));
    await consumed();
    expect(await priceOf(ticketId)).toMatchObject({ vipDiscount: 0, finalPrice: 9_000 });
  });

  it('reverts the VIP discount when the reservation is cancelled', async () => {
    const ticketId = randomUUID();
    const reservationId = randomUUID();
    await publisher.publish(registered(ticketId, 20_000));
    await publisher.publish(reserved(ticketId, reservationId));
    await eventually(async () => expect((await priceOf(ticketId))?.vipDiscount).toBe(1_800));
    await publisher.publish(cancelled(ticketId, reservationId));
    await eventually(async () => expect(await priceOf(ticketId)).toMatchObject({ vipDiscount: 0, finalPrice: 18_000 }));
  });

  it('when a cancellation arrives before its reservation, the discount ends reverted', async () => {
    const ticketId = randomUUID();
    const reservationId = randomUUID();
    await publisher.publish(registered(ticketId, 20_000));
    await publisher.publish(cancelled(ticketId, reservationId));
    await publisher.publish(reserved(ticketId, reservationId));
    await consumed();
    expect(await priceOf(ticketId)).toMatchObject({ vipDiscount: 0, finalPrice: 18_000 });
  });

  it('when a VIP reservation arrives before the ticket’s registration, the discount is applied on registration', async () => {
    const ticketId = randomUUID();
    await publisher.publish(reserved(ticketId, randomUUID()));
    // The reservation is applied before the registration exists, not merely published first.
    await consumed();
    expect(await priceOf(ticketId)).toBeNull();
    await publisher.publish(registered(ticketId, 10_000));
    await eventually(async () =>
      expect(await priceOf(ticketId)).toMatchObject({ vipDiscount: 900, finalPrice: 8_100 }),
    );
  });

  it('dead-letters a message that is not a valid event and keeps going', async () => {
    await publisher.publishRaw('ticket.registered', '{"type":"TicketRegistered","id":"nope"}');
    await publisher.publishRaw('ticket.registered', 'not json at all');
    const ticketId = randomUUID();
    await publisher.publish(registered(ticketId, 1_000));
    await eventually(async () => expect(await priceOf(ticketId)).toMatchObject({ finalPrice: 900 }));
  });
});

describe('price policies', () => {
  it('prices tickets registered after a policy change with the new active policy', async () => {
    const admin = await adminToken();
    const set = await graphql(price.url, SetPricePolicyDocument, {
      variables: { input: { name: 'year-end', discountPercent: 25, vipDiscountPercent: 20 } },
      token: admin,
    });
    expect(set.data!.setPricePolicy).toMatchObject({ name: 'year-end', active: true });
    const policies = await graphql(price.url, PricePoliciesDocument);
    expect(policies.data!.pricePolicies.filter((p) => p.active)).toMatchObject([{ name: 'year-end', active: true }]);

    const ticketId = randomUUID();
    await publisher.publish(registered(ticketId, 10_000));
    await eventually(async () =>
      expect(await priceOf(ticketId)).toMatchObject({ policyDiscount: 2_500, finalPrice: 7_500 }),
    );
  });
});
