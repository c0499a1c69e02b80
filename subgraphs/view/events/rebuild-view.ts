/**
 * A rebuild: replay the stream from its first event into a new store, up to the stream's last
 * sequence when the rebuild began, and only then make the new store the current one. Until that
 * moment nothing serves it, so no reader ever sees half a board; a rebuild that fails or is
 * stopped leaves no trace but its log lines.
 */
import type { NatsConfig } from '../../../platform/config.ts';
import type { Messaging } from '../../../platform/events/messaging.ts';
import type { Logger } from '../../../platform/logging.ts';
import type { StoreDirectory } from '../data/store-directory.ts';
import { createStore, type ViewStore } from '../data/view-store.ts';
import { startStreamProjector, type AppliedBatch } from './stream-projector.ts';

export interface RebuildOptions {
  messaging: Pick<Messaging, 'js' | 'jsm'>;
  nats: NatsConfig;
  directory: StoreDirectory;
  consumerPrefix: string;
  logger: Logger;
  onApplied?: (batch: AppliedBatch) => void;
  /** Stops the rebuild (the partial store is deleted). */
  signal?: AbortSignal;
}

export interface RebuiltStore {
  /** The new current store. */
  file: string;
  lastAppliedSequence: number;
}

export async function rebuildView(options: RebuildOptions): Promise<RebuiltStore> {
  const { messaging, nats, directory, logger, signal } = options;
  const info = await messaging.jsm.streams.info(nats.stream);
  const target = info.state.last_seq;
  const file = await directory.newBuildingStore();
  const startedAt = Date.now();
  logger.info({ stream: nats.stream, until: target, file }, 'rebuilding the view from the first event');
  let store: ViewStore | undefined;
  try {
    store = await createStore(file, { name: nats.stream, created: info.created });
    const projector = await startStreamProjector({
      messaging,
      nats,
      store,
      consumerPrefix: options.consumerPrefix,
      logger,
      until: target,
      onApplied: options.onApplied,
    });
    const stop = () => void projector.stop();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await projector.finished;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    const applied = await store.lastAppliedSequence();
    if (applied < target) throw new Error(`the rebuild stopped at sequence ${applied} of ${target}`);
    await store.close();
    store = undefined;
    const current = await directory.publish(file);
    logger.info(
      { file: current, lastAppliedSequence: applied, durationMs: Date.now() - startedAt },
      'view rebuilt; now current',
    );
    return { file: current, lastAppliedSequence: applied };
  } catch (error) {
    await store?.close().catch(() => {});
    await directory.remove(file);
    throw error;
  }
}
