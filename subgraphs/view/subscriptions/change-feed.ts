/**
 * The stream as subscriptions see it: every event with its stream sequence (its position), in
 * stream order, once. One ordered (ephemeral) consumer per replica, delivering from "new", fans
 * out to every live subscriber; a subscriber that resumes after a position it saw gets an
 * ordered consumer of its own starting right after it, and keeps it. Ordered consumers recreate
 * themselves after a gap or a NATS restart from the last sequence they delivered, so neither
 * skips nor repeats an event. Each subscriber has a bounded queue: one that falls too far behind
 * fails with `QueueOverflow` (the gateway resumes it from its last position).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliverPolicy, type ConsumerMessages, type OrderedConsumerOptions } from '@nats-io/jetstream';
import type { NatsConfig } from '../../../platform/config.ts';
import type { MessagingConnector } from '../../../platform/events/messaging.ts';
import type { Stoppable } from '../../../platform/lifecycle.ts';
import type { Logger } from '../../../platform/logging.ts';
import { createBoundedQueue, type BoundedQueue } from '../../../platform/streams/bounded-queue.ts';
import { parseEvent, type EventEnvelope } from '../../../ticketing/events/contracts.ts';
import type { ChangeSource, StreamChange } from '../domain/ports.ts';

export interface ChangeFeed extends ChangeSource, Stoppable {
  /** Changes from now on, or, with `after`, every change after that position first. */
  changes(after?: number): AsyncGenerator<StreamChange, void, undefined>;
  /** Subscribers reading right now. */
  subscribers(): number;
}

export interface ChangeFeedOptions {
  connector: MessagingConnector;
  nats: NatsConfig;
  /** Names this replica's consumers on the NATS server. */
  consumerPrefix: string;
  logger: Logger;
  /** Changes a subscriber may fall behind by before it is failed. */
  maxQueued: number;
}

export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const { connector, nats, logger } = options;
  const halt = new AbortController();
  const live = new Set<BoundedQueue<StreamChange>>();
  const running = new Set<Promise<void>>();
  let subscribers = 0;

  /** Delivers the stream from `start` to `deliver` until `until` aborts; pulls again after a failure. */
  async function pump(
    start: Partial<OrderedConsumerOptions>,
    deliver: (change: StreamChange) => void,
    until: AbortSignal,
  ): Promise<void> {
    const messaging = await Promise.race([connector.ready, abortedWith(until)]);
    if (!messaging) return;
    const consumer = await messaging.js.consumers.get(nats.stream, {
      name_prefix: `${options.consumerPrefix}_subs_${randomBytes(3).toString('hex')}`,
      filter_subjects: `${nats.subjectPrefix}.>`,
      ...start,
    });
    let messages: ConsumerMessages | undefined;
    const stop = () => void messages?.stop();
    until.addEventListener('abort', stop, { once: true });
    try {
      while (!until.aborted) {
        try {
          messages = await consumer.consume({ max_messages: 512 });
          if (until.aborted) break;
          for await (const message of messages) {
            let event: EventEnvelope;
            try {
              event = parseEvent(message.json());
            } catch {
              continue; // the projector logs invalid events; a subscriber has nothing to see in them
            }
            deliver({ position: message.seq, event });
          }
        } catch (error) {
          if (until.aborted) break;
          logger.warn({ err: error }, 'subscription feed failed; consuming again');
          await sleep(1000, undefined, { signal: until }).catch(() => {});
        }
      }
    } finally {
      until.removeEventListener('abort', stop);
      await consumer.delete().catch(() => {});
    }
  }

  function track(work: Promise<void>): void {
    const settled = work.catch((error) => logger.error({ err: error }, 'subscription feed stopped'));
    running.add(settled);
    void settled.finally(() => running.delete(settled));
  }

  // From the start, not at the first subscriber: one who subscribes sees every change after that.
  track(
    pump(
      { deliver_policy: DeliverPolicy.New },
      (change) => {
        for (const queue of live) queue.push(change);
      },
      halt.signal,
    ),
  );

  return {
    changes(after) {
      subscribers++;
      if (after === undefined) {
        const queue: BoundedQueue<StreamChange> = createBoundedQueue(options.maxQueued, () => {
          subscribers--;
          live.delete(queue);
        });
        live.add(queue);
        return queue.reader();
      }
      const own = new AbortController();
      const stopOwn = () => own.abort();
      halt.signal.addEventListener('abort', stopOwn, { once: true });
      const queue = createBoundedQueue<StreamChange>(options.maxQueued, () => {
        subscribers--;
        own.abort();
        halt.signal.removeEventListener('abort', stopOwn);
      });
      track(
        pump(
          { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 },
          (change) => void queue.push(change),
          own.signal,
        ).catch((error: Error) => queue.fail(error)),
      );
      return queue.reader();
    },
    subscribers: () => subscribers,
    async stop() {
      halt.abort();
      for (const queue of live) queue.end();
      await Promise.all(running);
    },
  };
}

function abortedWith(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(undefined);
    else signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}
