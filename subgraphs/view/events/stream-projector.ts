/**
 * Feeds one view store from the stream. Unlike the services' durable consumers, which replicas
 * share so that each event is handled once, every view replica needs every event: each projector
 * runs an ordered consumer of its own (ephemeral, no acks) that starts right after the store's
 * last applied sequence. Where it stands is recorded in the store, in the same transaction as the
 * effects, so a projector that stops or crashes resumes exactly there, whatever NATS remembers.
 *
 * Messages already received are applied together in one transaction (a replay comes in
 * batches); a batch never waits for messages still on their way. A batch that fails to apply is
 * retried until it succeeds or the projector stops; a failed pull is pulled again; a message that
 * is not a valid event is logged and passed over (the services' durable consumers dead-letter it).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliverPolicy, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConfig } from '../../../platform/config.ts';
import { InvalidEvent, parseEvent, type EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { inBatches } from '../../../platform/events/batches.ts';
import type { Messaging } from '../../../platform/events/messaging.ts';
import { inBatchSpan } from '../../../platform/events/trace-context.ts';
import type { Logger } from '../../../platform/logging.ts';
import type { SequencedEvent } from '../data/batch-writer.ts';
import type { ViewStore } from '../data/view-store.ts';

/** Messages applied in one transaction at most. */
const MAX_BATCH = 256;
/**
 * One pull at a time, of at most one batch: memory stays bounded however far behind the store
 * is (a replay), and a short expiry with frequent heartbeats lets the next pull recreate the
 * ordered consumer soon after NATS restarts.
 */
const PULL = { max_messages: MAX_BATCH, expires: 2000, idle_heartbeat: 1000 };
const RETRY_DELAYS_MS = [250, 1000, 2000, 5000];

export interface AppliedBatch {
  lastSequence: number;
  applied: EventEnvelope[];
  duplicates: EventEnvelope[];
  invalid: number;
}

export interface StreamProjectorOptions {
  messaging: Pick<Messaging, 'js'>;
  nats: NatsConfig;
  store: ViewStore;
  /** Names this replica's consumers on the server (a random suffix keeps each run apart). */
  consumerPrefix: string;
  logger: Logger;
  /** Stops by itself once this sequence is applied (a rebuild); otherwise runs until stopped. */
  until?: number;
  onApplied?: (batch: AppliedBatch) => void;
}

export interface StreamProjector {
  /** Settles when `until` is reached, or when the projector stopped. */
  finished: Promise<void>;
  /** Whether it has finished: stopped, or reached `until`. */
  ended(): boolean;
  lastAppliedSequence(): number;
  /** The stream's last sequence as the latest message reported it. */
  streamSequenceSeen(): number;
  /** When it last applied a batch (or started). */
  lastProgressAt(): number;
  stop(): Promise<void>;
}

export async function startStreamProjector(options: StreamProjectorOptions): Promise<StreamProjector> {
  const { store, logger, until } = options;
  let lastApplied = await store.lastAppliedSequence();
  let streamSeen = lastApplied;
  let progressAt = Date.now();
  const halt = new AbortController();
  const done = () => halt.signal.aborted || (until !== undefined && lastApplied >= until);

  if (done()) {
    return {
      finished: Promise.resolve(),
      ended: () => true,
      lastProgressAt: () => Date.now(),
      lastAppliedSequence: () => lastApplied,
      streamSequenceSeen: () => streamSeen,
      stop: async () => {},
    };
  }

  const prefix = `${options.consumerPrefix}_${randomBytes(3).toString('hex')}`;
  const consumer: Consumer = await options.messaging.js.consumers.get(options.nats.stream, {
    name_prefix: prefix,
    filter_subjects: `${options.nats.subjectPrefix}.>`,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: lastApplied + 1,
  });
  let pulling: ConsumerMessages | undefined;

  function parse(message: JsMsg): SequencedEvent {
    try {
      return { sequence: message.seq, event: parseEvent(message.json()) };
    } catch (error) {
      const reason = error instanceof InvalidEvent ? error.message : 'payload is not JSON';
      logger.error({ subject: message.subject, streamSeq: message.seq, reason }, 'passing over an invalid event');
      return { sequence: message.seq, event: null };
    }
  }

  /**
   * Applies a batch, retrying until it is applied (true) or the projector stops (false). A live
   * projector traces it: each event's handling joins the trace that wrote the event. A rebuild,
   * replaying the whole stream, does not add to old traces.
   */
  async function applyBatch(batch: JsMsg[]): Promise<boolean> {
    const events = batch.map(parse);
    if (until !== undefined) return applyEvents(events);
    const received = batch.flatMap((message, i) => {
      const event = events[i]!.event;
      return event ? [{ subject: message.subject, headers: message.headers, event }] : [];
    });
    return inBatchSpan(`process ${received.length} events`, received, { 'view.consumer': prefix }, () =>
      applyEvents(events),
    );
  }

  async function applyEvents(events: SequencedEvent[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await store.apply(events);
        lastApplied = Math.max(lastApplied, events.at(-1)?.sequence ?? 0);
        progressAt = Date.now();
        options.onApplied?.({
          lastSequence: lastApplied,
          ...result,
          invalid: events.filter((e) => e.event === null).length,
        });
        return true;
      } catch (error) {
        if (halt.signal.aborted) return false;
        const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!;
        logger.warn(
          { err: error, retryInMs: delay, firstSeq: events[0]?.sequence },
          'applying events failed; retrying',
        );
        const stopped = await sleep(delay, false, { signal: halt.signal }).catch(() => true);
        if (stopped) return false;
      }
    }
  }

  /**
   * Applies one pull's messages as they arrive: whatever has arrived while the previous batch
   * was being applied makes the next batch.
   */
  async function applyPull(messages: ConsumerMessages): Promise<void> {
    await inBatches(messages, {
      maxBatch: MAX_BATCH,
      apply: applyBatch,
      stopped: done,
      received: (message) => {
        streamSeen = Math.max(streamSeen, message.info.streamSequence + message.info.pending);
      },
      endedEarly: (error) => logger.debug({ err: error, consumer: prefix }, 'a pull ended early'),
    });
  }

  let ended = false;
  const finished = (async () => {
    while (!done()) {
      try {
        pulling = await consumer.fetch(PULL);
        await applyPull(pulling);
      } catch (error) {
        if (done()) break;
        logger.warn({ err: error, consumer: prefix }, 'pulling events failed; pulling again');
        await sleep(1000, undefined, { signal: halt.signal }).catch(() => {});
      }
    }
  })().finally(async () => {
    // Ordered consumers expire on their own; deleting says at once that this one is done.
    await consumer.delete().catch(() => {});
    ended = true;
  });
  logger.info({ stream: options.nats.stream, from: lastApplied + 1, until, consumer: prefix }, 'projecting events');

  return {
    finished,
    ended: () => ended,
    lastProgressAt: () => progressAt,
    lastAppliedSequence: () => lastApplied,
    streamSequenceSeen: () => streamSeen,
    async stop() {
      halt.abort();
      await pulling?.close();
      await finished;
    },
  };
}
