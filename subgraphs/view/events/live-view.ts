/**
 * The view one replica serves: its current store, kept up to date from the stream, and replaced
 * by a rebuilt one without a pause in reads.
 *
 * At start the current store is opened; when there is none, or it was built with another schema
 * version, the first one is built from the stream before the replica is ready. Once NATS answers,
 * a projector applies what the store has not seen yet; when the stream turns out to be another
 * one (deleted and created again), a rebuild starts and the old store is served until it is done.
 * A rebuild made by `npm run view:rebuild` is noticed through the folder's pointer and switched to.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { NatsConfig } from '../../../platform/config.ts';
import type { Messaging, MessagingConnector } from '../../../platform/events/messaging.ts';
import type { ReadinessReport } from '../../../platform/http/server.ts';
import type { Stoppable } from '../../../platform/lifecycle.ts';
import type { Logger } from '../../../platform/logging.ts';
import type { BoardReader } from '../domain/ports.ts';
import type { StoreDirectory } from '../data/store-directory.ts';
import { openStore, schemaVersion, type ViewStore } from '../data/view-store.ts';
import { rebuildView } from './rebuild-view.ts';
import { startStreamProjector, type AppliedBatch, type StreamProjector } from './stream-projector.ts';

/** How far behind the stream the served store is. Null where NATS has not answered yet. */
export interface Freshness {
  /** The first store is being built: nothing is served yet. */
  building: boolean;
  lastAppliedSequence: number | null;
  streamLastSequence: number | null;
  lag: number | null;
}

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
  /** Opens the current store, or builds the first one; resolves once a store is served. */
  start(): Promise<void>;
  freshness(): Promise<Freshness>;
  readiness(): Promise<ReadinessReport>;
}

/** A projector behind the stream that applied nothing for this long is started again. */
const STALLED_AFTER_MS = 10_000;
/** Stream info is asked for at most this often (readiness probes and scrapes both want it). */
const STREAM_INFO_TTL_MS = 500;
const STREAM_INFO_TIMEOUT_MS = 1000;

export function createLiveView(options: LiveViewOptions): LiveView {
  const { directory, connector, nats, consumerPrefix, logger } = options;
  const retireAfterMs = options.retireAfterMs ?? 2000;
  let serving: { store: ViewStore; projector?: StreamProjector } | undefined;
  let messaging: Messaging | undefined;
  let building = false;
  let buildProgress = 0;
  let stopped = false;
  let rebuilding: Promise<void> | undefined;
  let pointerTimer: NodeJS.Timeout | undefined;
  const halt = new AbortController();
  const retiring = new Set<Promise<void>>();
  const exclusively = serialized();
  const consumed = viewMetrics(options.metrics, () => freshness());

  function record(batch: AppliedBatch): void {
    for (const event of batch.applied) consumed.inc({ consumer: 'view', type: event.type, outcome: 'applied' });
    for (const event of batch.duplicates) consumed.inc({ consumer: 'view', type: event.type, outcome: 'duplicate' });
    if (batch.invalid > 0) consumed.inc({ consumer: 'view', type: 'invalid', outcome: 'passed-over' }, batch.invalid);
  }

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
    if (identity.schemaVersion === schemaVersion() && identity.stream === nats.stream) return store;
    logger.info(
      { file, built: identity, schemaVersion: schemaVersion() },
      'the view store was built otherwise; rebuilding',
    );
    await store.close();
    return undefined;
  }

  function rebuild(m: Messaging, onApplied: (batch: AppliedBatch) => void) {
    return rebuildView({ messaging: m, nats, directory, consumerPrefix, logger, onApplied, signal: halt.signal });
  }

  /** Starts projecting into the served store, unless the stream is not the one it was built from. */
  async function project(): Promise<void> {
    if (stopped || !serving || serving.projector || !messaging) return;
    const info = await messaging.jsm.streams.info(nats.stream);
    const lastApplied = await serving.store.lastAppliedSequence();
    if (serving.store.identity.streamCreated !== info.created || lastApplied > info.state.last_seq) {
      logger.warn({ stream: nats.stream }, 'the stream was created again since the view was built; rebuilding');
      rebuildInBackground(messaging);
      return;
    }
    serving.projector = await startStreamProjector({
      messaging,
      nats,
      store: serving.store,
      consumerPrefix,
      logger,
      onApplied: record,
    });
  }

  function rebuildInBackground(m: Messaging): void {
    if (rebuilding) return;
    rebuilding = rebuild(m, record)
      .then(() => followPointer())
      .catch((error) => {
        if (!stopped) logger.error({ err: error }, 'rebuilding the view failed; serving the previous store');
      })
      .finally(() => {
        rebuilding = undefined;
      });
  }

  /**
   * Every second: switch to a store rebuilt elsewhere, and start projecting again if attaching
   * failed, or the projector ended on its own or stalled behind the stream (a safety net under
   * the client's own recovery).
   */
  async function tick(): Promise<void> {
    await followPointer();
    if (stopped || !messaging || rebuilding) return;
    const { lag } = await freshness();
    await exclusively(async () => {
      const projector = serving?.projector;
      const stalled =
        projector && lag !== null && lag > 0 && Date.now() - projector.lastProgressAt() > STALLED_AFTER_MS;
      if (serving && projector && (projector.ended() || stalled)) {
        logger.warn({ lag }, 'the view stopped applying events; starting again from its last applied sequence');
        await projector.stop();
        serving.projector = undefined;
      }
      await project();
    });
  }

  async function followPointer(): Promise<void> {
    if (stopped || !serving) return;
    const file = await directory.currentStore();
    if (file && file !== serving.store.file) await exclusively(() => switchTo(file));
  }

  async function switchTo(file: string): Promise<void> {
    if (stopped || !serving || serving.store.file === file) return;
    const next = await openCompatible(file);
    if (!next) return;
    const previous = serving;
    await previous.projector?.stop();
    serving = { store: next };
    logger.info({ file, lastAppliedSequence: await next.lastAppliedSequence() }, 'serving a rebuilt view store');
    retire(previous.store);
    await project();
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

  let streamInfo: { at: number; lastSequence: number | null } = { at: 0, lastSequence: null };

  async function streamLastSequence(): Promise<number | null> {
    const seen = serving?.projector?.streamSequenceSeen() ?? null;
    if (messaging && connector.connected() && Date.now() - streamInfo.at > STREAM_INFO_TTL_MS) {
      const m = messaging;
      // Cancelled once answered: a probe must not leave a timer behind that holds the process open.
      const answered = new AbortController();
      try {
        const info = await Promise.race([
          m.jsm.streams.info(nats.stream),
          sleep(STREAM_INFO_TIMEOUT_MS, undefined, { signal: answered.signal }).then(() =>
            Promise.reject(new Error('stream info timed out')),
          ),
        ]);
        streamInfo = { at: Date.now(), lastSequence: info.state.last_seq };
      } catch {
        // NATS is slow or away: report what was seen last.
      } finally {
        answered.abort();
      }
    }
    const known = [seen, streamInfo.lastSequence].filter((n): n is number => n !== null);
    return known.length > 0 ? Math.max(...known) : null;
  }

  async function freshness(): Promise<Freshness> {
    const lastAppliedSequence = serving
      ? (serving.projector?.lastAppliedSequence() ?? (await serving.store.lastAppliedSequence()))
      : building
        ? buildProgress
        : null;
    const head = await streamLastSequence();
    const lag = head === null || lastAppliedSequence === null ? null : Math.max(0, head - lastAppliedSequence);
    return { building, lastAppliedSequence, streamLastSequence: head, lag };
  }

  function servedStore(): ViewStore {
    if (!serving) throw new Error('the view is still building its first store (see /health/ready)');
    return serving.store;
  }

  return {
    boards: {
      ticketBoard: (filter, page) => servedStore().boards.ticketBoard(filter, page),
      reservationBoard: (userId, page) => servedStore().boards.reservationBoard(userId, page),
    },

    async start() {
      await directory.removeUnused();
      const existing = await openCompatible(await directory.currentStore());
      if (existing) {
        serving = { store: existing };
      } else {
        building = true;
        try {
          const m = await connector.ready;
          messaging = m;
          const built = await rebuild(m, (batch) => {
            buildProgress = batch.lastSequence;
            record(batch);
          });
          serving = { store: await openStore(built.file) };
          // The store it replaces, if it was one of another schema version.
          await directory.removeUnused();
        } finally {
          building = false;
        }
      }
      logger.info({ file: serving.store.file }, 'serving the view');
      void connector.ready
        .then((m) => {
          messaging = m;
          return exclusively(project);
        })
        .catch((error) => {
          if (!stopped) logger.error({ err: error }, 'the view could not attach to the stream; trying again');
        });
      pointerTimer = setInterval(() => {
        tick().catch((error) => logger.error({ err: error }, 'keeping the view current failed; trying again'));
      }, options.pointerCheckMs ?? 1000);
      pointerTimer.unref();
    },

    freshness,

    async readiness() {
      const report = await freshness();
      return {
        ready: serving !== undefined,
        checks: {
          store: serving ? path.basename(serving.store.file) : null,
          nats: connector.connected(),
          ...report,
        },
      };
    },

    async stop() {
      stopped = true;
      halt.abort();
      clearInterval(pointerTimer);
      await rebuilding;
      await exclusively(async () => {
        await serving?.projector?.stop();
        await serving?.store.close();
        serving = undefined;
      });
      await Promise.all(retiring);
    },
  };
}

function viewMetrics(
  registry: Registry,
  freshness: () => Promise<Freshness>,
): Counter<'consumer' | 'type' | 'outcome'> {
  new Gauge({
    name: 'view_lag_events',
    help: 'Events in the stream not yet applied to the served view store (stream last sequence - last applied)',
    registers: [registry],
    async collect() {
      const { lag } = await freshness();
      if (lag !== null) this.set(lag);
    },
  });
  new Gauge({
    name: 'view_last_applied_sequence',
    help: 'Stream sequence of the last event applied to the served view store',
    registers: [registry],
    async collect() {
      const { lastAppliedSequence } = await freshness();
      if (lastAppliedSequence !== null) this.set(lastAppliedSequence);
    },
  });
  return new Counter({
    name: 'events_consumed_total',
    help: 'Events taken from the stream, by type and outcome (applied, duplicate, passed-over)',
    labelNames: ['consumer', 'type', 'outcome'],
    registers: [registry],
  });
}

/** Runs transitions (attach, switch, stop) one at a time. */
function serialized() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work);
    tail = run.catch(() => {});
    return run;
  };
}
