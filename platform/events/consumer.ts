/**
 * A durable JetStream consumer for one service. Replicas of the service share the durable, so
 * each event is handled by one of them; a service that was down resumes where its durable stopped.
 * A message is acknowledged only after its handler's transaction committed; a failed handler
 * is retried with backoff up to `maxDeliver` times; an invalid message is terminated and logged
 * (it never blocks the events behind it).
 */
import type { NatsConnection } from '@nats-io/nats-core';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../logging.ts';
import { InvalidEvent, parseEvent, type EventEnvelope, type EventType } from './contracts.ts';

export type EventHandler<T extends EventType> = (event: EventEnvelope<T>) => Promise<void>;
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

export interface DurableConsumerOptions {
  connection: NatsConnection;
  jsm: JetStreamManager;
  stream: string;
  subjectPrefix: string;
  /** The durable name shared by every replica of the service. */
  durableName: string;
  handlers: EventHandlers;
  logger: Logger;
  metrics: Registry;
  /** How long the server waits for an ack before redelivering (default 30 s). */
  ackWaitMs?: number;
  /** Deliveries before a failing event is given up on (default 10). */
  maxDeliver?: number;
}

export interface DurableConsumer {
  stop(): Promise<void>;
}

const RETRY_DELAYS_MS = [250, 1000, 2000, 5000, 10_000];

export async function startDurableConsumer(options: DurableConsumerOptions): Promise<DurableConsumer> {
  const { jsm, stream, durableName, logger } = options;
  const maxDeliver = options.maxDeliver ?? 10;
  const config = {
    durable_name: durableName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: `${options.subjectPrefix}.>`,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_deliver: maxDeliver,
  };
  try {
    await jsm.consumers.info(stream, durableName);
    await jsm.consumers.update(stream, durableName, {
      ack_wait: config.ack_wait,
      max_deliver: config.max_deliver,
      filter_subject: config.filter_subject,
    });
  } catch (error) {
    if (!/not found/i.test(String((error as Error).message))) throw error;
    await jsm.consumers.add(stream, config);
  }

  const handled = new Counter({
    name: 'events_consumed_total',
    help: 'Events taken from the stream, by type and outcome',
    labelNames: ['consumer', 'type', 'outcome'],
    registers: [options.metrics],
  });
  const duration = new Histogram({
    name: 'event_handler_duration_seconds',
    help: 'Time to handle one event, commit included',
    labelNames: ['consumer', 'type'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [options.metrics],
  });

  const consumer = await jetstream(options.connection).consumers.get(stream, durableName);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 64 });

  async function handle(message: JsMsg): Promise<void> {
    let event: EventEnvelope;
    try {
      event = parseEvent(message.json());
    } catch (error) {
      const reason = error instanceof InvalidEvent ? error.message : 'payload is not JSON';
      logger.error({ subject: message.subject, streamSeq: message.seq, reason }, 'dead-lettering an invalid event');
      handled.inc({ consumer: durableName, type: 'invalid', outcome: 'dead-lettered' });
      message.term(reason);
      return;
    }
    const log = logger.child({ eventId: event.id, type: event.type, correlationId: event.correlationId });
    const handler = options.handlers[event.type] as EventHandler<EventType> | undefined;
    if (!handler) {
      message.ack();
      handled.inc({ consumer: durableName, type: event.type, outcome: 'ignored' });
      return;
    }
    const stopTimer = duration.startTimer({ consumer: durableName, type: event.type });
    try {
      await handler(event);
      await message.ackAck();
      handled.inc({ consumer: durableName, type: event.type, outcome: 'applied' });
      log.info({ redelivered: message.redelivered }, 'event handled');
    } catch (error) {
      const deliveries = message.info.deliveryCount;
      if (deliveries >= maxDeliver) {
        log.error({ err: error, deliveries }, 'giving up on an event after its last delivery; dead-lettering it');
        handled.inc({ consumer: durableName, type: event.type, outcome: 'dead-lettered' });
        message.term('handler kept failing');
      } else {
        const delay = RETRY_DELAYS_MS[Math.min(deliveries - 1, RETRY_DELAYS_MS.length - 1)]!;
        log.warn({ err: error, deliveries, retryInMs: delay }, 'event handler failed; it will be redelivered');
        handled.inc({ consumer: durableName, type: event.type, outcome: 'retried' });
        message.nak(delay);
      }
    } finally {
      stopTimer();
    }
  }

  const loop = (async () => {
    for await (const message of messages) await handle(message);
  })();
  logger.info({ stream, durableName }, 'consuming events');

  return {
    async stop() {
      await messages.close();
      await loop;
    },
  };
}

/** The part of a Prisma transaction client the inbox needs. */
export interface InboxWriter {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/**
 * Records an event as processed, inside the transaction of its effect. Returns false when it was
 * already processed: the caller then skips the effect, so a redelivery changes nothing.
 */
export async function recordInInbox(tx: InboxWriter, event: EventEnvelope): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    'INSERT INTO inbox_event (id, type) VALUES ($1::uuid, $2) ON CONFLICT (id) DO NOTHING',
    event.id,
    event.type,
  );
  return inserted === 1;
}
