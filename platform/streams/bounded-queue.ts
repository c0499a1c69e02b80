/**
 * A queue between a producer that never waits (an event feed fanning out) and one consumer that
 * reads at its own pace (a subscriber's connection). It holds at most `capacity` items: a consumer
 * that falls further behind is failed with `QueueOverflow`, never allowed to grow memory.
 */

export class QueueOverflow extends Error {
  override readonly name = 'QueueOverflow';
}

export interface BoundedQueue<T> {
  /** Adds an item; once the queue is over capacity it fails with `QueueOverflow` (false). */
  push(item: T): boolean;
  /** No more items: the reader ends after the queued ones. */
  end(): void;
  /** The reader throws `error` after the queued ones (at once for an overflow). */
  fail(error: Error): void;
  size(): number;
  /** The one reader; returning it (or reaching the end) runs `onClose` once. */
  reader(): AsyncGenerator<T, void, undefined>;
}

export function createBoundedQueue<T>(capacity: number, onClose: () => void = () => {}): BoundedQueue<T> {
  const items: T[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    items.length = 0;
    onClose();
  };
  const signal = () => {
    wake?.();
    wake = undefined;
  };

  async function* read(): AsyncGenerator<T, void, undefined> {
    try {
      for (;;) {
        if (failure instanceof QueueOverflow) throw failure;
        if (items.length > 0) {
          yield items.shift()!;
          continue;
        }
        if (failure) throw failure;
        if (ended || closed) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      close();
    }
  }

  return {
    push(item) {
      if (ended || failure || closed) return false;
      if (items.length >= capacity) {
        failure = new QueueOverflow(`more than ${capacity} events waiting`);
        signal();
        return false;
      }
      items.push(item);
      signal();
      return true;
    },
    end() {
      ended = true;
      signal();
    },
    fail(error) {
      failure ??= error;
      signal();
    },
    size: () => items.length,
    reader() {
      const generator = read();
      const giveUp = generator.return.bind(generator);
      // A reader returned before its first read never enters the generator's `finally`.
      generator.return = (value) => {
        close();
        signal();
        return giveUp(value);
      };
      return generator;
    },
  };
}
