/**
 * The gateway's subscriptions to the subgraph that owns them, over GraphQL over WebSocket: one
 * connection per subgraph URL (opened while any subscription needs it), every subscription
 * multiplexed on it with its own caller's token in the subscribe message's `extensions`.
 *
 * Each upstream subscription remembers the stream position of the last event it received. When
 * the connection is lost (that replica stopped or died), it subscribes again, through the
 * subgraph's Service, to whichever replica answers, asking for the events after that position:
 * its subscriber loses nothing and sees nothing twice. Events wait in a bounded queue until the
 * subscriber takes them; one that falls too far behind fails with `QueueOverflow`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Logger } from '../../platform/logging.ts';
import { createBoundedQueue } from '../../platform/streams/bounded-queue.ts';

export interface UpstreamRequest {
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
  authorization?: string;
  correlationId: string;
}

export interface UpstreamEvent {
  result: FormattedExecutionResult;
  /** The event's stream position, as the subgraph delivered it. */
  position?: number;
  /** When the event occurred (ISO-8601), as the subgraph delivered it. */
  occurredAt?: string;
}

/** The subgraph refused the subscription (an `error` message): its errors, for the client. */
export class UpstreamRefused extends Error {
  override readonly name = 'UpstreamRefused';
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

export interface Upstreams {
  subscribe(url: string, request: UpstreamRequest): AsyncGenerator<UpstreamEvent, void, undefined>;
  /** Closes every upstream connection. */
  stop(): Promise<void>;
}

export interface UpstreamOptions {
  logger: Logger;
  /** Events a subscription may have waiting for its subscriber. */
  maxQueued: number;
  /** Waits between attempts to subscribe again after a lost connection (the last one repeats). */
  retryDelaysMs?: readonly number[];
}

const RETRY_DELAYS_MS = [0, 250, 500, 1000, 2000];

export function createUpstreams(options: UpstreamOptions): Upstreams {
  const { logger } = options;
  const retryDelays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
  const clients = new Map<string, Client>();
  let stopped = false;

  function clientFor(url: string): Client {
    let client = clients.get(url);
    if (!client) {
      client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        lazy: true,
        lazyCloseTimeout: 5000,
        // A lost connection is resumed per subscription, from its own position (below).
        retryAttempts: 0,
        keepAlive: 10_000,
      });
      clients.set(url, client);
    }
    return client;
  }

  function subscribe(url: string, request: UpstreamRequest): AsyncGenerator<UpstreamEvent, void, undefined> {
    let position: number | undefined;
    let unsubscribe: (() => void) | undefined;
    let attempt = 0;
    let done = false;
    const queue = createBoundedQueue<UpstreamEvent>(options.maxQueued, () => {
      done = true;
      unsubscribe?.();
    });

    function start(): void {
      if (done || stopped) return;
      const extensions: Record<string, unknown> = { correlationId: request.correlationId };
      if (request.authorization) extensions.authorization = request.authorization;
      if (position !== undefined) extensions.after = position;
      unsubscribe = clientFor(url).subscribe(
        { query: request.query, operationName: request.operationName, variables: request.variables, extensions },
        {
          next(result) {
            attempt = 0;
            const meta = result.extensions as { position?: unknown; occurredAt?: unknown } | undefined;
            if (typeof meta?.position === 'number') position = meta.position;
            const { extensions: _, ...rest } = result;
            queue.push({
              result: rest,
              position: typeof meta?.position === 'number' ? meta.position : undefined,
              occurredAt: typeof meta?.occurredAt === 'string' ? meta.occurredAt : undefined,
            });
          },
          error(error) {
            if (Array.isArray(error)) {
              queue.fail(new UpstreamRefused(error as GraphQLFormattedError[]));
              return;
            }
            if (done || stopped) return;
            const delay = retryDelays[Math.min(attempt++, retryDelays.length - 1)]!;
            logger.warn(
              { url, position, retryInMs: delay, correlationId: request.correlationId },
              'subscription connection lost; resuming after the last position',
            );
            void sleep(delay).then(start);
          },
          complete() {
            queue.end();
          },
        },
      );
    }

    start();
    return queue.reader();
  }

  return {
    subscribe,
    async stop() {
      stopped = true;
      await Promise.all([...clients.values()].map((client) => client.dispose()));
      clients.clear();
    },
  };
}
