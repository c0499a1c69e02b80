/**
 * The view one replica serves: its current store, kept up to date from the stream, and replaced
 * by a rebuilt one without a pause in reads. Three parts, each with its own start and stop:
 *
 * - the store lifecycle (store-lifecycle.ts): the current store opened at start, or the first one
 *   built from the stream before the replica is ready; a rebuilt store switched to; the replaced
 *   one retired;
 * - the supervisor (projector-supervisor.ts): a projector applying what the served store has not
 *   seen yet, started again when it ends or stalls, and a rebuild when the stream was created
 *   again; a rebuild made by `npm run view:rebuild` is noticed through the folder's pointer;
 * - freshness (freshness.ts): the stream's head against the last applied sequence, for readiness
 *   and metrics.
 */
import type { Registry } from 'prom-client';
import type { NatsConfig } from '../../../platform/config.ts';
import type { Messaging, MessagingConnector } from '../../../platform/events/messaging.ts';
import type { ReadinessReport } from '../../../platform/http/server.ts';
import type { Stoppable } from '../../../platform/lifecycle.ts';
import type { Logger } from '../../../platform/logging.ts';
import type { StoreDirectory } from '../data/store-directory.ts';
import type { ViewStore } from '../data/view-store.ts';
import type { AppliedPosition, BoardReader } from '../domain/ports.ts';
import { createAppliedPosition } from '../subscriptions/applied-position.ts';
import { createFreshness, type Freshness } from './freshness.ts';
import { createProjectorSupervisor } from './projector-supervisor.ts';
import { rebuildView } from './rebuild-view.ts';
import { createStoreLifecycle } from './store-lifecycle.ts';

export interface LiveViewOptions {
  directory: StoreDirectory;
  connector: MessagingConnector;
  nats: NatsConfig;
  /** Names this replica's consumers on the NATS server. */
  consumerPrefix: string;
  logger: Logger;
  metrics: Registry;
  /** How often the folder is checked for a store rebuilt elsewhere, and the projector for life (default 1000 ms). */
  pointerCheckMs?: number;
  /** How long a replaced store stays open for the reads that were using it (default 2000 ms). */
  retireAfterMs?: number;
}

export interface LiveView extends Stoppable {
  /** Reads the store being served. */
  boards: BoardReader;
  /** How far the served store has applied the stream (for subscriptions that read it). */
  applied: AppliedPosition;
  /** Opens the current store, or builds the first one; resolves once a store is served. */
  start(): Promise<void>;
  freshness(): Promise<Freshness>;
  readiness(): Promise<ReadinessReport>;
}

export function createLiveView(options: LiveViewOptions): LiveView {
  const { directory, connector, nats, consumerPrefix, logger } = options;
  // Stops a rebuild under way, the first one included.
  const halt = new AbortController();
  const stores = createStoreLifecycle({ directory, stream: nats.stream, logger, retireAfterMs: options.retireAfterMs });
  const gauge = createFreshness({
    position: { served: stores.served, building: stores.building, projector: () => supervisor.projector() },
    connector,
    stream: nats.stream,
    metrics: options.metrics,
  });
  const applied = createAppliedPosition(() => supervisor.projector()?.lastAppliedSequence() ?? 0);
  const supervisor = createProjectorSupervisor({
    stores,
    connector,
    nats,
    consumerPrefix,
    logger,
    rebuild,
    lag: async () => (await gauge.freshness()).lag,
    onApplied: (batch) => {
      gauge.record(batch);
      applied.reached(batch.lastSequence);
    },
    checkEveryMs: options.pointerCheckMs,
  });

  function rebuild(messaging: Messaging) {
    return rebuildView({
      messaging,
      nats,
      directory,
      consumerPrefix,
      logger,
      onApplied: gauge.record,
      signal: halt.signal,
    });
  }

  function servedStore(): ViewStore {
    const store = stores.served();
    if (!store) throw new Error('the view is still building its first store (see /health/ready)');
    return store;
  }

  return {
    boards: {
      ticketBoard: (filter, page) => servedStore().boards.ticketBoard(filter, page),
      ticketEntry: (ticketId) => servedStore().boards.ticketEntry(ticketId),
      reservationBoard: (userId, page) => servedStore().boards.reservationBoard(userId, page),
      entityById: (id) => servedStore().boards.entityById(id),
    },
    applied,

    async start() {
      await stores.start(async () => (await rebuild(await connector.ready)).file);
      supervisor.start();
    },

    freshness: () => gauge.freshness(),
    readiness: () => gauge.readiness(),

    async stop() {
      halt.abort();
      await supervisor.stop();
      await stores.stop();
    },
  };
}
