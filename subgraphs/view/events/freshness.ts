/**
 * How far behind the stream the served store is: the stream's last sequence against the last one
 * applied, for readiness (/health/ready) and for metrics (view_lag_events,
 * view_last_applied_sequence, events_consumed_total).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import path from 'node:path';
import type { Messaging, MessagingConnector } from '../../../platform/events/messaging.ts';
import type { ReadinessReport } from '../../../platform/http/server.ts';
import type { ViewStore } from '../data/view-store.ts';
import type { AppliedBatch, StreamProjector } from './stream-projector.ts';

/** How far behind the stream the served store is. Null where NATS has not answered yet. */
export interface Freshness {
  /** The first store is being built: nothing is served yet. */
  building: boolean;
  lastAppliedSequence: number | null;
  streamLastSequence: number | null;
  lag: number | null;
}

/** Where the view stands, as the store lifecycle and the supervisor know it. */
export interface ViewPosition {
  served(): ViewStore | undefined;
  building(): boolean;
  projector(): StreamProjector | undefined;
}

export interface FreshnessOptions {
  position: ViewPosition;
  connector: MessagingConnector;
  stream: string;
  metrics: Registry;
}

export interface FreshnessGauge {
  freshness(): Promise<Freshness>;
  readiness(): Promise<ReadinessReport>;
  /** Counts a batch's events, and while the first store is built, where the build stands. */
  record(batch: AppliedBatch): void;
}

/** Stream info is asked for at most this often (readiness probes and scrapes both want it). */
const STREAM_INFO_TTL_MS = 500;
const STREAM_INFO_TIMEOUT_MS = 1000;

export function createFreshness(options: FreshnessOptions): FreshnessGauge {
  const { position, connector, stream } = options;
  let buildProgress = 0;
  let messaging: Messaging | undefined;
  // From the first build on, which already reads the stream. A connector stopped before NATS
  // answered has nothing to report.
  connector.ready.then((m) => (messaging = m)).catch(() => {});
  let streamInfo: { at: number; lastSequence: number | null } = { at: 0, lastSequence: null };
  const consumed = viewMetrics(options.metrics, () => freshness());

  async function streamLastSequence(): Promise<number | null> {
    const seen = position.projector()?.streamSequenceSeen() ?? null;
    if (messaging && connector.connected() && Date.now() - streamInfo.at > STREAM_INFO_TTL_MS) {
      // Cancelled once answered: a probe must not leave a timer behind that holds the process open.
      const answered = new AbortController();
      try {
        const info = await Promise.race([
          messaging.jsm.streams.info(stream),
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
    const served = position.served();
    const building = position.building();
    const lastAppliedSequence = served
      ? (position.projector()?.lastAppliedSequence() ?? (await served.lastAppliedSequence()))
      : building
        ? buildProgress
        : null;
    const head = await streamLastSequence();
    const lag = head === null || lastAppliedSequence === null ? null : Math.max(0, head - lastAppliedSequence);
    return { building, lastAppliedSequence, streamLastSequence: head, lag };
  }

  return {
    freshness,

    async readiness() {
      const report = await freshness();
      const served = position.served();
      return {
        ready: served !== undefined,
        checks: { store: served ? path.basename(served.file) : null, nats: connector.connected(), ...report },
      };
    },

    record(batch) {
      if (position.building()) buildProgress = batch.lastSequence;
      for (const event of batch.applied) consumed.inc({ consumer: 'view', type: event.type, outcome: 'applied' });
      for (const event of batch.duplicates) consumed.inc({ consumer: 'view', type: event.type, outcome: 'duplicate' });
      if (batch.invalid > 0) consumed.inc({ consumer: 'view', type: 'invalid', outcome: 'passed-over' }, batch.invalid);
    },
  };
}

function viewMetrics(
  registry: Registry,
  freshness: () => Promise<Freshness>,
): Counter<'consumer' | 'type' | 'outcome'> {
  const gauge = (name: string, help: string, valueOf: (now: Freshness) => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const value = valueOf(await freshness());
        if (value !== null) this.set(value);
      },
    });
  gauge(
    'view_lag_events',
    'Events in the stream not yet applied to the served view store (stream last sequence - last applied)',
    (now) => now.lag,
  );
  gauge(
    'view_last_applied_sequence',
    'Stream sequence of the last event applied to the served view store',
    (now) => now.lastAppliedSequence,
  );
  return new Counter({
    name: 'events_consumed_total',
    help: 'Events taken from the stream, by type and outcome (applied, duplicate, passed-over)',
    labelNames: ['consumer', 'type', 'outcome'],
    registers: [registry],
  });
}
