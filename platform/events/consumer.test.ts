/**
 * The durable consumer against a real NATS JetStream: a poison message is retried a bounded number
 * of times, then dead-lettered with its reason, without holding up the events behind it; an
 * invalid message is dead-lettered at once; a batch that fails is applied one event at a time.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import type { JetStreamManager } from '@nats-io/jetstream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { eventually } from '../../test/support/eventually.ts';
import { createTestStream, type TestStream } from '../../test/support/nats.ts';
import { createTestPublisher, type TestPublisher } from '../../test/support/publisher.ts';
import { batchConsumption, startDurableConsumer, type DurableConsumer } from './consumer.ts';
import type { EventEnvelope } from '../../ticketing/events/contracts.ts';
import { newEvent } from '../../ticketing/events/envelope.ts';
import { deadLetterStream, ensureStream } from './jetstream.ts';

let stream: TestStream;
let connection: NatsConnection;
let jsm: JetStreamManager;
let publisher: TestPublisher;
let consumer: DurableConsumer;
const metrics = new Registry();
const applied: string[] = [];
let poisonId = '';

const reserved = (): EventEnvelope<'TicketReserved'> =>
  newEvent(
    'TicketReserved',
    { ticketId: randomUUID(), reservationId: randomUUID(), userId: 'u' },
    { userGrade: 'VIP' },
    { correlationId: 'consumer-test', causationId: null },
  );

beforeAll(async () => {
  stream = createTestStream();
  connection = await connect({ servers: stream.url });
  jsm = await ensureStream(connection, stream);
  publisher = await createTestPublisher(stream);
  consumer = await startDurableConsumer({
    connection,
    jsm,
    nats: stream,
    durableName: `consumer_test_${stream.suffix}`,
    handlers: {
      TicketReserved: async (event) => {
        if (event.id === poisonId) throw new Error('this event can never be applied');
        applied.push(event.id);
      },
    },
    logger: pino({ level: 'silent' }),
    metrics,
    maxDeliver: 3,
  });
});

afterAll(async () => {
  await consumer?.stop();
  await publisher?.close();
  await connection?.close();
  await stream?.delete();
});

async function deadLetters(): Promise<{ reason: string | undefined; subject: string | undefined }[]> {
  const { state } = await jsm.streams.info(deadLetterStream(stream));
  const letters = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(deadLetterStream(stream), { seq });
    letters.push({
      reason: message?.header.get('Dead-Letter-Reason'),
      subject: message?.header.get('Original-Subject'),
    });
  }
  return letters;
}

it('retries a poison event a bounded number of times, dead-letters it, and keeps applying the events behind it', async () => {
  const poison = reserved();
  poisonId = poison.id;
  const behind = reserved();
  await publisher.publish(poison);
  await publisher.publish(behind);

  // The event behind the poison is applied at once, not after the poison's retries.
  await eventually(async () => expect(applied).toContain(behind.id), 2_000);
  await eventually(
    async () =>
      expect(await deadLetters()).toContainEqual({
        reason: 'handler-failed',
        subject: expect.stringContaining('reservation.reserved'),
      }),
    10_000,
  );
  expect(applied).not.toContain(poison.id);
  expect(await metrics.getSingleMetricAsString('events_dead_lettered_total')).toMatch(
    /reason="handler-failed"[^\n]* 1/,
  );
});

it('dead-letters a message that is not a valid event at once', async () => {
  await publisher.publishRaw('reservation.reserved', '{"type":"TicketReserved","id":"not-a-uuid"}');
  await eventually(
    async () => expect((await deadLetters()).filter((l) => l.reason === 'invalid-event')).toHaveLength(1),
    5_000,
  );
});

it('applies a batch in one go, and a batch that fails one event at a time: the poison is isolated, the rest applied', async () => {
  const events = [reserved(), reserved(), reserved()];
  const batchPoison = events[1]!.id;
  for (const event of events) await publisher.publish(event);
  const batches: string[][] = [];
  const appliedInBatches: string[] = [];
  const batchMetrics = new Registry();
  // All but the poison, applied as a transaction would: the whole batch, or nothing of it.
  const applyBatch = async (batch: readonly EventEnvelope[]) => {
    batches.push(batch.map((event) => event.id));
    if (batch.some((event) => event.id === batchPoison)) throw new Error('this event can never be applied');
    appliedInBatches.push(...batch.map((event) => event.id));
  };
  // Started after the events are in the stream, so its first pull delivers them together.
  const batchConsumer = await startDurableConsumer({
    connection,
    jsm,
    nats: stream,
    durableName: `consumer_batch_test_${stream.suffix}`,
    ...batchConsumption(['TicketReserved'], applyBatch),
    logger: pino({ level: 'silent' }),
    metrics: batchMetrics,
    maxDeliver: 2,
  });
  try {
    await eventually(async () => {
      expect(appliedInBatches).toEqual(expect.arrayContaining([events[0]!.id, events[2]!.id]));
      expect(await batchMetrics.getSingleMetricAsString('events_dead_lettered_total')).toMatch(
        /reason="handler-failed"[^\n]* 1/,
      );
    }, 10_000);
    expect(appliedInBatches).not.toContain(batchPoison);
    expect(batches.some((batch) => batch.length > 1)).toBe(true);
  } finally {
    await batchConsumer.stop();
  }
});
