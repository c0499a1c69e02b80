/**
 * How a client's subscription ends, besides the client completing it: its token expires (a
 * last result with UNAUTHENTICATED), the owning subgraph refuses it (its errors), or the client
 * reads too slowly and its buffer overflows (SLOW_CONSUMER, and the transport cuts the
 * connection). Whichever way it ends, `onEnd` runs once (the limits' count, the metrics).
 */
import type { FormattedExecutionResult } from 'graphql';
import { QueueOverflow } from '../../platform/streams/bounded-queue.ts';
import { UpstreamRefused } from './upstream.ts';

export interface StreamEndings {
  /** When the subscriber's token expires (epoch ms), if it does. */
  expiresAt?: number;
  /** The subscriber fell behind by more than its buffer. */
  onSlowConsumer(): void;
  onEnd(): void;
}

/** An async generator in all but name: graphql-sse only returns streams that have `throw` too. */
export type ResultStream = AsyncIterableIterator<FormattedExecutionResult> & {
  return(): Promise<IteratorResult<FormattedExecutionResult>>;
  throw(error: unknown): Promise<IteratorResult<FormattedExecutionResult>>;
};

const DONE: IteratorResult<FormattedExecutionResult> = { done: true, value: undefined };

function lastResult(code: string, message: string): IteratorResult<FormattedExecutionResult> {
  return { done: false, value: { errors: [{ message, extensions: { code } }] } };
}

export function withEndings(
  results: AsyncIterator<FormattedExecutionResult> & { return(): Promise<unknown> },
  endings: StreamEndings,
): ResultStream {
  let finished = false;
  let expiry: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    if (endings.expiresAt === undefined) return;
    // Timers hold at most ~24.8 days; a token that lives longer is checked again then.
    const wait = Math.min(Math.max(0, endings.expiresAt - Date.now()), 2 ** 31 - 1);
    expiry = setTimeout(() => resolve('expired'), wait);
  });

  async function finish(): Promise<void> {
    if (finished) return;
    finished = true;
    clearTimeout(expiry);
    endings.onEnd();
    await results.return();
  }

  const stream: ResultStream = {
    async next() {
      if (finished) return DONE;
      try {
        const read = await Promise.race([results.next(), expired]);
        if (read === 'expired') {
          await finish();
          return lastResult('UNAUTHENTICATED', 'token has expired: subscribe again with a new token');
        }
        if (read.done) await finish();
        return read;
      } catch (error) {
        await finish();
        if (error instanceof UpstreamRefused) return { done: false, value: { errors: [...error.errors] } };
        if (error instanceof QueueOverflow) {
          endings.onSlowConsumer();
          return lastResult('SLOW_CONSUMER', `events were not read fast enough (${error.message})`);
        }
        throw error;
      }
    },
    async return() {
      await finish();
      return DONE;
    },
    async throw(error: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
