/**
 * Messages of a pull or a consumer handed over in batches: whatever has arrived while the
 * previous batch was being applied makes the next one, so a batch never waits for messages still
 * on their way, and under load batches grow by themselves.
 */
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';

export interface BatchOptions {
  /** Messages handed over together at most. */
  maxBatch: number;
  /** Applies a batch; false stops the handing over. */
  apply(batch: JsMsg[]): Promise<boolean>;
  /** Checked before each batch: true stops the handing over. */
  stopped(): boolean;
  /** Sees each message as it arrives. */
  received?(message: JsMsg): void;
  /** The messages ended with an error (a pull cut short, a connection closed). */
  endedEarly?(error: unknown): void;
}

/**
 * Hands `messages` over in batches until they end or the caller stops; then closes them. Returns
 * the messages received and not handed over (delivered to this process, and not applied).
 */
export async function inBatches(messages: ConsumerMessages, options: BatchOptions): Promise<JsMsg[]> {
  const received: JsMsg[] = [];
  let arrived: (() => void) | undefined;
  let drained = false;
  const receiving = (async () => {
    try {
      for await (const message of messages) {
        received.push(message);
        options.received?.(message);
        arrived?.();
      }
    } catch (error) {
      options.endedEarly?.(error);
    } finally {
      drained = true;
      arrived?.();
    }
  })();
  while (!options.stopped()) {
    if (received.length === 0) {
      if (drained) break;
      await new Promise<void>((resolve) => (arrived = resolve));
      arrived = undefined;
      continue;
    }
    // Let the rest of what the socket delivered join this batch.
    await new Promise((resolve) => setImmediate(resolve));
    if (!(await options.apply(received.splice(0, options.maxBatch)))) break;
  }
  await messages.close();
  await receiving;
  return received.splice(0);
}
