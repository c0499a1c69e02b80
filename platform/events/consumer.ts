/**
 * A durable JetStream consumer for one service. Replicas of the service share the durable, so
 * each event is handled by one of them; a service that was down resumes where its durable stopped.
 *
 * The durable takes only the subjects of the event types the service handles (the narrowest
 * filter one subject can express), so a service is not woken for events it would ignore.
 *
 * Messages are applied in batches: what has arrived while the previous batch was being applied
 * makes the next one, applied by the service in one transaction (its inbox included) and
 * acknowledged only after that transaction committed. A batch that fails is applied again one
 * message at a time, so a poison message is isolated and the others go through. A failing message
 * is redelivered with growing delays up to `maxDeliver` deliveries; then, like a message that is
 * not a valid event, it is dead-lettered: copied to the dead-letter stream with the reason, logged,
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
import { subjectOf } from '../../ticketing/events/envelope.ts';
import { inBatches } from './batches.ts';
import { inBatchSpan, inProcessSpan, markActiveSpanFailed } from './trace-context.ts';
import { deadLetterSubject } from './jetstream.ts';

export type EventHandler<T extends EventType> = (event: EventEnvelope<T>) => Promise<void>;
export type EventHandlers = { [T in EventType]?: EventHandler<T> };
/** Applies events in order in one transaction (inbox included): all of them, or none. */
export type EventBatchHandler = (events: readonly EventEnvelope[]) => Promise<void>;

/** What a service consumes: the handler per event type, and optionally one for a whole batch. */
export interface EventConsumption {
  /** Which events are handled (others are acknowledged and ignored), one at a time. */
  handlers: EventHandlers;
  /** Applies a batch of handled events in one transaction; without it, they are handled one by one. */
  applyBatch?: EventBatchHandler;
}

/** Handlers of `types` that all go through one batch handler (a single event is a batch of one). */
export function batchConsumption(types: readonly EventType[], applyBatch: EventBatchHandler): EventConsumption {
  const handlers: Record<string, EventHandler<EventType>> = {};
  for (const type of types) handlers[type] = (event) => applyBatch([event]);
  return { handlers: handlers as EventHandlers, applyBatch };
}

/**
 * The one subject filter that covers the handled events and as few others as it can: their
 * subjects' common leading tokens (`ticketing.reservation.>`), or the subject itself if only one.
 */
export function consumerFilter(subjectPrefix: string, types: readonly EventType[]): string {
  const subjects = [...new Set(types.map(subjectOf))];
  if (subjects.length === 1) return `${subjectPrefix}.${subjects[0]}`;
  const tokens = subjects.map((subject) => subject.split('.'));
  const common: string[] = [];
  for (let i = 0; tokens.every((t) => i < t.length - 1 && t[i] === tokens[0]![i]); i++) common.push(tokens[0]![i]!);
  return [subjectPrefix, ...common, '>'].join('.');
}

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

export interface DurableConsumerOptions extends ConsumerSettings, EventConsumption {
  connection: NatsConnection;
  jsm: JetStreamManager;
  nats: NatsConfig;
  /** The durable name shared by every replica of the service. */
  durableName: string;
  logger: Logger;
  metrics: Registry;
}

export interface DurableConsumer {
  /** Stops taking messages and waits for the one being handled. */
  stop(): Promise<void>;
}

const RETRY_DELAYS_MS = [250, 1000, 2000, 5000, 10_000];
/** Messages the server may have delivered and not yet seen acknowledged; also the largest batch. */
const MAX_BATCH = 64;

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
    batchSize: new Histogram({
      name: 'consumer_batch_size',
      help: 'Events applied together in one transaction',
      labelNames: ['consumer'],
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers: [registry],
    }).labels(labels),
    duration: new Histogram({
      name: 'event_handler_duration_seconds',
      help: 'Time to handle one event, commit included (an event applied in a batch: its share of the batch)',
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
    filter_subject: consumerFilter(options.nats.subjectPrefix, Object.keys(options.handlers) as EventType[]),
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
  const messages: ConsumerMessages = await consumer.consume({ max_messages: MAX_BATCH });

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

  /**
   * The event a message carries, when this service handles it. An invalid message is
   * dead-lettered and an event of another type acknowledged; both give undefined.
   */
  async function handledEvent(message: JsMsg): Promise<EventEnvelope | undefined> {
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
      return undefined;
    }
    if (!options.handlers[event.type]) {
      message.ack();
      metrics.handled.inc({ consumer: durableName, type: event.type, outcome: 'ignored' });
      return undefined;
    }
    return event;
  }

  const logOf = (event: EventEnvelope) =>
    logger.child({ eventId: event.id, type: event.type, correlationId: event.correlationId });

  function crashIfInjected(event: EventEnvelope): void {
    if (options.crashBeforeAck?.(event)) {
      logOf(event).warn('fault injection: crashing after the commit, before the ack');
      process.kill(process.pid, 'SIGKILL');
    }
  }

  function recordApplied(message: JsMsg, event: EventEnvelope, batch: number): void {
    metrics.handled.inc({ consumer: durableName, type: event.type, outcome: 'applied' });
    const sinceOccurredMs = Date.now() - Date.parse(event.occurredAt);
    if (sinceOccurredMs >= 0)
      metrics.sinceOccurred.observe({ consumer: durableName, type: event.type }, sinceOccurredMs / 1000);
    logOf(event).info({ redelivered: message.redelivered, batch }, 'event handled');
  }

  /** A message as the trace context of its publisher reaches this consumer. */
  const received = (message: JsMsg, event: EventEnvelope) => ({
    subject: message.subject,
    headers: message.headers,
    event,
  });
  const spanAttributes = { 'messaging.consumer.group.name': durableName };

  /**
   * One message on its own: acknowledged after its commit, or redelivered later, or dead-lettered.
   * The handler's work (its statements, the events it writes) continues the publisher's trace.
   */
  function handleOne(message: JsMsg, event: EventEnvelope): Promise<void> {
    return inProcessSpan(received(message, event), spanAttributes, () => applyOne(message, event));
  }

  async function applyOne(message: JsMsg, event: EventEnvelope): Promise<void> {
    const log = logOf(event);
    const handler = options.handlers[event.type] as EventHandler<EventType>;
    const stopTimer = metrics.duration.startTimer({ consumer: durableName, type: event.type });
    try {
      await handler(event);
      crashIfInjected(event);
      await message.ackAck();
      metrics.batchSize.observe(1);
      metrics.handled.inc({ consumer: durableName, type: event.type, outcome: 'applied' });
      const sinceOccurredMs = Date.now() - Date.parse(event.occurredAt);
      if (sinceOccurredMs >= 0)
        metrics.sinceOccurred.observe({ consumer: durableName, type: event.type }, sinceOccurredMs / 1000);
      log.info({ redelivered: message.redelivered }, 'event handled');
    } catch (error) {
      markActiveSpanFailed(error);
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

  /**
   * Applies the handled messages of a batch in one transaction and acknowledges them after its
   * commit; if it fails, each is handled on its own, so one poison message holds up none of the rest.
   */
  async function handleBatch(batch: JsMsg[]): Promise<void> {
    const handled: { message: JsMsg; event: EventEnvelope }[] = [];
    for (const message of batch) {
      const event = await handledEvent(message);
      if (event) handled.push({ message, event });
    }
    if (handled.length === 0) return;
    const { applyBatch } = options;
    if (handled.length === 1 || !applyBatch) {
      for (const { message, event } of handled) await handleOne(message, event);
      return;
    }
    const started = performance.now();
    try {
      // One batch span linked to each publisher's; each event's own span continues its publisher's trace.
      await inBatchSpan(
        `process ${handled.length} events`,
        handled.map(({ message, event }) => received(message, event)),
        spanAttributes,
        () => applyBatch(handled.map(({ event }) => event)),
      );
    } catch (error) {
      logger.warn(
        { err: error, size: handled.length },
        'applying a batch of events failed; applying them one at a time',
      );
      for (const { message, event } of handled) await handleOne(message, event);
      return;
    }
    for (const { event } of handled) crashIfInjected(event);
    // After the commit. Sent as soon as the connection is up; one lost on the way only means a
    // redelivery, which the inbox absorbs.
    for (const { message } of handled) message.ack();
    const share = (performance.now() - started) / 1000 / handled.length;
    metrics.batchSize.observe(handled.length);
    for (const { message, event } of handled) {
      metrics.duration.observe({ consumer: durableName, type: event.type }, share);
      recordApplied(message, event, handled.length);
    }
  }

  let stopping = false;
  const loop = inBatches(messages, {
    maxBatch: MAX_BATCH,
    apply: async (batch) => {
      await handleBatch(batch).catch((error) =>
        // Unacknowledged, the batch's messages come again after the ack wait.
        logger.error({ err: error, durableName }, 'handling a batch of events failed'),
      );
      return true;
    },
    stopped: () => stopping,
    endedEarly: (error) => logger.warn({ err: error, durableName }, 'receiving events ended early'),
  }).then((left) => {
    // Delivered here but not applied: back to the stream at once, for this or another replica.
    for (const message of left) message.nak();
  });
  logger.info({ stream, durableName }, 'consuming events');

  return {
    async stop() {
      stopping = true;
      await messages.close();
      await loop;
    },
  };
}
