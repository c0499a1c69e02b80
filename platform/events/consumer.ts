/**
 * A durable JetStream consumer for one service. Replicas of the service share the durable, so
 * each event is handled by one of them; a service that was down resumes where its durable stopped.
 *
 * A message is acknowledged only after its handler's transaction committed. A failing handler is
 * redelivered with growing delays up to `maxDeliver` deliveries; then, like a message that is not
 * a valid event, it is dead-lettered: copied to the dead-letter stream with the reason, logged,
 * counted, and terminated. It never blocks the events behind it.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { headers as natsHeaders } from '@nats-io/nats-core';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { NatsConfig } from '../config.ts';
import type { Logger } from '../logging.ts';
import { InvalidEvent, parseEvent, type EventEnvelope, type EventType } from '../../ticketing/events/contracts.ts';
import { deadLetterSubject } from './jetstream.ts';

export type EventHandler<T extends EventType> = (event: EventEnvelope<T>) => Promise<void>;
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

export interface ConsumerSettings {
  /** How long the server waits for an ack before redelivering (default 30 s). */
  ackWaitMs?: number;
  /** Deliveries before a failing event is dead-lettered (default 10). */
  maxDeliver?: number;
  /**
   * Test-only fault injection: called after an event's transaction committed and before its ack.
   * Returning true kills the process on the spot, as a crash at the worst moment would.
   */
  crashBeforeAck?: (event: EventEnvelope) => boolean;
}

export interface DurableConsumerOptions extends ConsumerSettings {
  connection: NatsConnection;
  jsm: JetStreamManager;
  nats: NatsConfig;
  /** The durable name shared by every replica of the service. */
  durableName: string;
  handlers: EventHandlers;
  logger: Logger;
  metrics: Registry;
}

export interface DurableConsumer {
  /** Stops taking messages and waits for the one being handled. */
  stop(): Promise<void>;
}

const RETRY_DELAYS_MS = [250, 1000, 2000, 5000, 10_000];

function consumerMetrics(registry: Registry, jsm: JetStreamManager, stream: string, durableName: string) {
  const labels = { consumer: durableName };
  return {
    handled: new Counter({
      name: 'events_consumed_total',
      help: 'Events taken from the stream, by type and outcome (applied, ignored, retried, dead-lettered)',
      labelNames: ['consumer', 'type', 'outcome'],
      registers: [registry],
    }),
    redelivered: new Counter({
      name: 'consumer_redelivered_total',
      help: 'Messages delivered again after a failure, a crash or an ack timeout',
      labelNames: ['consumer'],
      registers: [registry],
    }).labels(labels),
    deadLettered: new Counter({
      name: 'events_dead_lettered_total',
      help: 'Messages given up on and copied to the dead-letter stream',
      labelNames: ['consumer', 'reason'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'event_handler_duration_seconds',
      help: 'Time to handle one event, commit included',
      labelNames: ['consumer', 'type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    sinceOccurred: new Histogram({
      name: 'event_end_to_end_seconds',
      help: "Time from an event's occurrence to its handler's commit here: how long a saga step takes to reach this service",
      labelNames: ['consumer', 'type'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    pending: new Gauge({
      name: 'consumer_pending_messages',
      help: 'Consumer lag: messages not yet delivered plus delivered but not yet acknowledged',
      labelNames: ['consumer'],
      registers: [registry],
      async collect() {
        const info = await jsm.consumers.info(stream, durableName).catch(() => undefined);
        if (info) this.set(labels, info.num_pending + info.num_ack_pending);
      },
    }),
  };
}

export async function startDurableConsumer(options: DurableConsumerOptions): Promise<DurableConsumer> {
  const { jsm, durableName, logger } = options;
  const stream = options.nats.stream;
  const maxDeliver = options.maxDeliver ?? 10;
  const settings = {
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    max_deliver: maxDeliver,
    filter_subject: `${options.nats.subjectPrefix}.>`,
  };
  try {
    await jsm.consumers.info(stream, durableName);
    await jsm.consumers.update(stream, durableName, settings);
  } catch (error) {
    if (!/not found/i.test(String((error as Error).message))) throw error;
    await jsm.consumers.add(stream, {
      durable_name: durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...settings,
    });
  }

  const metrics = consumerMetrics(options.metrics, jsm, stream, durableName);
  const js = jetstream(options.connection);
  const consumer = await js.consumers.get(stream, durableName);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 64 });

  async function deadLetter(message: JsMsg, reason: string, detail: string): Promise<void> {
    const headers = natsHeaders();
    headers.set('Dead-Letter-Reason', reason);
    headers.set('Dead-Letter-Detail', detail.slice(0, 1000));
    headers.set('Original-Subject', message.subject);
    headers.set('Original-Stream-Sequence', String(message.seq));
    try {
      await js.publish(deadLetterSubject(options.nats, durableName), message.data, { headers });
    } catch (error) {
      // Keep the message for a later delivery rather than lose it.
      logger.error({ err: error, streamSeq: message.seq }, 'could not dead-letter a message; it will be redelivered');
      message.nak(RETRY_DELAYS_MS.at(-1));
      return;
    }
    metrics.deadLettered.inc({ consumer: durableName, reason });
    message.term(reason);
  }

  async function handle(message: JsMsg): Promise<void> {
    if (message.redelivered) metrics.redelivered.inc();
    let event: EventEnvelope;
    try {
      event = parseEvent(message.json());
    } catch (error) {
      const detail = error instanceof InvalidEvent ? error.message : 'payload is not JSON';
      logger.error(
        { subject: message.subject, streamSeq: message.seq, reason: detail },
        'dead-lettering an invalid event',
      );
      metrics.handled.inc({ consumer: durableName, type: 'invalid', outcome: 'dead-lettered' });
      await deadLetter(message, 'invalid-event', detail);
      return;
    }
    const log = logger.child({ eventId: event.id, type: event.type, correlationId: event.correlationId });
    const handler = options.handlers[event.type] as EventHandler<EventType> | undefined;
    if (!handler) {
      message.ack();
      metrics.handled.inc({ consumer: durableName, type: event.type, outcome: 'ignored' });
      return;
    }
    const stopTimer = metrics.duration.startTimer({ consumer: durableName, type: event.type });
    try {
      await handler(event);
      if (options.crashBeforeAck?.(event)) {
        log.warn('fault injection: crashing after the commit, before the ack');
        process.kill(process.pid, 'SIGKILL');
      }
      await message.ackAck();
      metrics.handled.inc({ consumer: durableName, type: event.type, outcome: 'applied' });
      const sinceOccurredMs = Date.now() - Date.parse(event.occurredAt);
      if (sinceOccurredMs >= 0)
        metrics.sinceOccurred.observe({ consumer: durableName, type: event.type }, sinceOccurredMs / 1000);
      log.info({ redelivered: message.redelivered }, 'event handled');
    } catch (error) {
      const deliveries = message.info.deliveryCount;
      if (deliveries >= maxDeliver) {
        log.error({ err: error, deliveries }, 'giving up on an event after its last delivery; dead-lettering it');
        metrics.handled.inc({ consumer: durableName, type: event.type, outcome: 'dead-lettered' });
        await deadLetter(message, 'handler-failed', String((error as Error)?.message ?? error));
      } else {
        const delay = RETRY_DELAYS_MS[Math.min(deliveries - 1, RETRY_DELAYS_MS.length - 1)]!;
        log.warn({ err: error, deliveries, retryInMs: delay }, 'event handler failed; it will be redelivered');
        metrics.handled.inc({ consumer: durableName, type: event.type, outcome: 'retried' });
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
