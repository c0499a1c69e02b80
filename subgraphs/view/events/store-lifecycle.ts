/**
 * Which store one replica serves, over its life: the current one opened at start (or the first
 * one built when there is none, or it was built with another schema version or from another
 * stream), a rebuilt one switched to, and a replaced one retired: closed once the reads that were
 * using it are done, then deleted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stoppable } from '../../../platform/lifecycle.ts';
import type { Logger } from '../../../platform/logging.ts';
import type { StoreDirectory } from '../data/store-directory.ts';
import { openStore, schemaVersion, type ViewStore } from '../data/view-store.ts';

export interface StoreLifecycleOptions {
  directory: StoreDirectory;
  /** The stream a store must have been built from to be served. */
  stream: string;
  logger: Logger;
  /** How long a replaced store stays open for the reads that were using it (default 2000 ms). */
  retireAfterMs?: number;
}

export interface StoreLifecycle extends Stoppable {
  /** The store being served; undefined until `start` resolved, and after `stop`. */
  served(): ViewStore | undefined;
  /** Whether the first store is being built: nothing is served yet. */
  building(): boolean;
  /**
   * Serves the current store, or, when it cannot be served, the one `build` makes (its file).
   * Resolves once a store is served.
   */
  start(build: () => Promise<string>): Promise<ViewStore>;
  /** The store the folder's pointer names, when it is not the one served (a rebuild finished). */
  replacement(): Promise<string | null>;
  /** Opens a store if it can be served: this schema version, this stream. */
  openCompatible(file: string | null): Promise<ViewStore | undefined>;
  /** Serves `next` from now on and retires the store it replaces. */
  serve(next: ViewStore): void;
}

export function createStoreLifecycle(options: StoreLifecycleOptions): StoreLifecycle {
  const { directory, stream, logger } = options;
  const retireAfterMs = options.retireAfterMs ?? 2000;
  let served: ViewStore | undefined;
  let building = false;
  const halt = new AbortController();
  const retiring = new Set<Promise<void>>();

  async function openCompatible(file: string | null): Promise<ViewStore | undefined> {
    if (!file) return undefined;
    let store: ViewStore;
    try {
      store = await openStore(file);
    } catch (error) {
      logger.warn({ err: error, file }, 'the current view store cannot be opened; rebuilding');
      return undefined;
    }
    const { identity } = store;
    if (identity.schemaVersion === schemaVersion() && identity.stream === stream) return store;
    logger.info(
      { file, built: identity, schemaVersion: schemaVersion() },
      'the view store was built otherwise; rebuilding',
    );
    await store.close();
    return undefined;
  }

  /** Closes a replaced store once the reads that were using it are done, and deletes it. */
  function retire(store: ViewStore): void {
    const closing = sleep(retireAfterMs, undefined, { signal: halt.signal })
      .catch(() => {})
      .then(() => store.close())
      .then(() => directory.remove(store.file))
      .catch((error) => logger.warn({ err: error, file: store.file }, 'removing a replaced view store failed'))
      .finally(() => retiring.delete(closing));
    retiring.add(closing);
  }

  return {
    served: () => served,
    building: () => building,
    openCompatible,

    async start(build) {
      await directory.removeUnused();
      served = await openCompatible(await directory.currentStore());
      if (!served) {
        building = true;
        try {
          served = await openStore(await build());
          // The store it replaces, if it was one of another schema version.
          await directory.removeUnused();
        } finally {
          building = false;
        }
      }
      logger.info({ file: served.file }, 'serving the view');
      return served;
    },

    async replacement() {
      if (!served) return null;
      const file = await directory.currentStore();
      return file && file !== served.file ? file : null;
    },

    serve(next) {
      const previous = served;
      served = next;
      if (previous) retire(previous);
    },

    async stop() {
      halt.abort();
      await served?.close();
      served = undefined;
      await Promise.all(retiring);
    },
  };
}
