/**
 * Keeps a projector applying the stream to the served store. Once NATS answers, it starts one
 * from the store's last applied sequence; every second (a safety net under the client's own
 * recovery) it switches to a store rebuilt elsewhere, and starts the projector again if attaching
 * failed, or it ended on its own or stalled behind the stream. When the stream turns out to be
 * another one (deleted and created again), it rebuilds in the background and switches once done.
 */
import type { NatsConfig } from '../../../platform/config.ts';
import type { Messaging, MessagingConnector } from '../../../platform/events/messaging.ts';
import type { Stoppable } from '../../../platform/lifecycle.ts';
import type { Logger } from '../../../platform/logging.ts';
import type { StoreLifecycle } from './store-lifecycle.ts';
import { startStreamProjector, type AppliedBatch, type StreamProjector } from './stream-projector.ts';

export interface ProjectorSupervisorOptions {
  stores: StoreLifecycle;
  connector: MessagingConnector;
  nats: NatsConfig;
  consumerPrefix: string;
  logger: Logger;
  /** Builds a new store from the first event and makes it current. */
  rebuild(messaging: Messaging): Promise<unknown>;
  /** Events behind the stream, or null where unknown. */
  lag(): Promise<number | null>;
  onApplied(batch: AppliedBatch): void;
  /** How often the folder is checked for a rebuilt store, and the projector for life (default 1000 ms). */
  checkEveryMs?: number;
}

export interface ProjectorSupervisor extends Stoppable {
  /** Attaches once NATS answers, and checks on the projector from now on. */
  start(): void;
  projector(): StreamProjector | undefined;
}

/** A projector behind the stream that applied nothing for this long is started again. */
const STALLED_AFTER_MS = 10_000;

export function createProjectorSupervisor(options: ProjectorSupervisorOptions): ProjectorSupervisor {
  const { stores, connector, nats, consumerPrefix, logger } = options;
  let projector: StreamProjector | undefined;
  let messaging: Messaging | undefined;
  let rebuilding: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const exclusively = serialized();

  /** Starts projecting into the served store, unless the stream is not the one it was built from. */
  async function attach(): Promise<void> {
    const store = stores.served();
    if (stopped || !store || projector || !messaging) return;
    const info = await messaging.jsm.streams.info(nats.stream);
    const lastApplied = await store.lastAppliedSequence();
    if (store.identity.streamCreated !== info.created || lastApplied > info.state.last_seq) {
      logger.warn({ stream: nats.stream }, 'the stream was created again since the view was built; rebuilding');
      rebuildInBackground(messaging);
      return;
    }
    projector = await startStreamProjector({
      messaging,
      nats,
      store,
      consumerPrefix,
      logger,
      onApplied: options.onApplied,
    });
  }

  async function detach(): Promise<void> {
    await projector?.stop();
    projector = undefined;
  }

  function rebuildInBackground(m: Messaging): void {
    if (rebuilding) return;
    rebuilding = options
      .rebuild(m)
      .then(() => followPointer())
      .catch((error) => {
        if (!stopped) logger.error({ err: error }, 'rebuilding the view failed; serving the previous store');
      })
      .finally(() => {
        rebuilding = undefined;
      });
  }

  async function followPointer(): Promise<void> {
    if (stopped) return;
    const file = await stores.replacement();
    if (file) await exclusively(() => switchTo(file));
  }

  async function switchTo(file: string): Promise<void> {
    if (stopped || stores.served()?.file === file) return;
    const next = await stores.openCompatible(file);
    if (!next) return;
    await detach();
    stores.serve(next);
    logger.info({ file, lastAppliedSequence: await next.lastAppliedSequence() }, 'serving a rebuilt view store');
    await attach();
  }

  async function check(): Promise<void> {
    await followPointer();
    if (stopped || !messaging || rebuilding) return;
    const lag = await options.lag();
    await exclusively(async () => {
      const stalled =
        projector && lag !== null && lag > 0 && Date.now() - projector.lastProgressAt() > STALLED_AFTER_MS;
      if (projector && (projector.ended() || stalled)) {
        logger.warn({ lag }, 'the view stopped applying events; starting again from its last applied sequence');
        await detach();
      }
      await attach();
    });
  }

  return {
    projector: () => projector,

    start() {
      void connector.ready
        .then((m) => {
          messaging = m;
          return exclusively(attach);
        })
        .catch((error) => {
          if (!stopped) logger.error({ err: error }, 'the view could not attach to the stream; trying again');
        });
      timer = setInterval(() => {
        check().catch((error) => logger.error({ err: error }, 'keeping the view current failed; trying again'));
      }, options.checkEveryMs ?? 1000);
      timer.unref();
    },

    async stop() {
      stopped = true;
      clearInterval(timer);
      await rebuilding;
      await exclusively(detach);
    },
  };
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
