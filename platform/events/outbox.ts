/**
 * The transactional outbox. `appendToOutbox` runs inside the transaction of the state change;
 * the relay publishes committed rows to JetStream in order, with the event id as `Nats-Msg-Id`,
 * and marks them published. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several relays
 * can run side by side; a relay that dies between publishing and marking re-publishes, and the
 * server's duplicate window (then the consumers' inbox) absorbs the repeat.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../logging.ts';
import type { EventEnvelope } from '../../ticketing/events/contracts.ts';
import { subjectOf } from '../../ticketing/events/envelope.ts';
import { inPoolTransaction, rawStatements } from '../database/pool-transaction.ts';
import { tracedPublish, withActiveTraceContext } from './trace-context.ts';

/** The part of a Prisma transaction client the outbox needs; every subgraph's schema has it. */
export interface OutboxWriter {
  outboxEvent: {
    createMany(args: {
      data: { id: string; type: string; subject: string; envelope: object; occurredAt: Date }[];
    }): Promise<unknown>;
  };
}

export async function appendToOutbox(tx: OutboxWriter, ...events: EventEnvelope[]): Promise<void> {
  await tx.outboxEvent.createMany({ data: events.map(outboxRowOf) });
}

/**
 * The outbox row of an event, for a statement that writes it itself (one SQL statement that
 * changes state and appends its event is atomic without an interactive transaction). The
 * envelope keeps the trace context of the work writing it, which the relay carries on.
 */
export function outboxRowOf(event: EventEnvelope) {
  return {
    id: event.id,
    type: event.type,
    subject: subjectOf(event.type),
    envelope: withActiveTraceContext(event),
    occurredAt: new Date(event.occurredAt),
  };
}

/**
 * Outbox rows as the columns of an `unnest($n::uuid[], $n+1::text[], $n+2::text[], $n+3::text[],
 * $n+4::timestamptz[])` (id, type, subject, envelope as JSON text, occurred_at), for a statement
 * that writes many rows at once.
 */
export function outboxColumns(events: readonly EventEnvelope[]): [string[], string[], string[], string[], string[]] {
  const rows = events.map(outboxRowOf);
  return [
    rows.map((row) => row.id),
    rows.map((row) => row.type),
    rows.map((row) => row.subject),
    rows.map((row) => JSON.stringify(row.envelope)),
    rows.map((row) => row.occurredAt.toISOString()),
  ];
}

export interface OutboxRelayOptions {
  /** The process's pool: the relay's transactions go straight to it, not through Prisma. */
  pool: pg.Pool;
  subjectPrefix: string;
  logger: Logger;
  metrics: Registry;
  /** Rows claimed per batch (default 100). */
  batchSize?: number;
  /** Safety-net poll when no wake-up arrives, in ms (default 1000). */
  pollIntervalMs?: number;
}

interface ClaimedRow {
  /** A bigint, as pg gives it: text. */
  sequence: string;
  id: string;
  subject: string;
  type: string;
  correlationId: string;
  /** The envelope as JSON text, published as it is: never parsed and written out again. */
  envelope: string;
  /** The envelope's trace context (W3C), read by the same statement. */
  traceparent: string | null;
  tracestate: string | null;
}

export interface OutboxRelay {
  /** Starts publishing through `js` (once NATS is connected). */
  start(js: JetStreamClient): void;
  /** Publish promptly: called after a transaction that appended events commits. */
  wake(): void;
  stop(): Promise<void>;
  /** Rows written but not yet published. */
  backlog(): Promise<number>;
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { pool, logger } = options;
  const db = rawStatements(pool);
  const batchSize = options.batchSize ?? 100;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be a positive integer: ${batchSize}`);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const published = new Counter({
    name: 'outbox_events_published_total',
    help: 'Outbox events published to JetStream',
    labelNames: ['type'],
    registers: [options.metrics],
  });
  const failures = new Counter({
    name: 'outbox_publish_failures_total',
    help: 'Failed attempts to publish a batch of outbox events',
    registers: [options.metrics],
  });
  new Gauge({
    name: 'outbox_backlog',
    help: 'Outbox events not yet published',
    registers: [options.metrics],
    collect: async function () {
      this.set(await backlog().catch(() => -1));
    },
  });
  new Gauge({
    name: 'outbox_oldest_unpublished_age_seconds',
    help: 'Age of the oldest outbox event not yet published (0 when none)',
    registers: [options.metrics],
    collect: async function () {
      const rows = await db
        .$queryRawUnsafe<{ age: number | null }[]>(
          'SELECT extract(epoch FROM now() - min(occurred_at))::float8 AS age FROM outbox_event WHERE published_at IS NULL',
        )
        .catch(() => [{ age: -1 }]);
      this.set(rows[0]?.age ?? 0);
    },
  });

  let running = false;
  let js: JetStreamClient | undefined;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  async function backlog(): Promise<number> {
    const rows = await db.$queryRawUnsafe<{ count: number }[]>(
      'SELECT count(*)::int AS count FROM outbox_event WHERE published_at IS NULL',
    );
    return rows[0]?.count ?? 0;
  }

  /**
   * One batch in one transaction on a connection of the pool (not a Prisma transaction: this is
   * every saga step's path; see pool-transaction.ts): claimed with BEGIN, published, then marked
   * with COMMIT — two round trips to PostgreSQL. The rows stay locked until the commit, so relays
   * side by side skip them.
   *
   * The commit does not wait for its WAL flush: a mark lost in a crash only means the rows are
   * published again, which the stream's duplicate window (then the consumers' inbox) absorbs. A
   * flush can take tens of ms when the disk is busy, and the next batch (often the next saga's
   * event, whose commit woke the relay meanwhile) waited for it.
   */
  async function publishBatch(): Promise<number> {
    return inPoolTransaction(
      pool,
      async (tx) => {
        const rows = await tx.$queryRawUnsafe<ClaimedRow[]>(
          `SELECT sequence, id::text AS id, subject, type, envelope->>'correlationId' AS "correlationId",
             envelope::text AS envelope, envelope#>>'{traceContext,traceparent}' AS traceparent,
             envelope#>>'{traceContext,tracestate}' AS tracestate
           FROM outbox_event
           WHERE published_at IS NULL ORDER BY sequence LIMIT $1 FOR UPDATE SKIP LOCKED`,
          batchSize,
        );
        if (rows.length === 0 || !js) return 0;
        await publishInOrder(js, rows);
        await tx.executeAndCommit(
          'UPDATE outbox_event SET published_at = now() WHERE sequence = ANY($1::bigint[])',
          rows.map((row) => row.sequence),
        );
        for (const row of rows) {
          published.inc({ type: row.type });
          logger.debug({ eventId: row.id, type: row.type, correlationId: row.correlationId }, 'event published');
        }
        return rows.length;
      },
      { synchronousCommit: false },
    );
  }

  /** Sent in order over one connection, so the stream keeps the outbox order; the acks awaited together. */
  async function publishInOrder(client: JetStreamClient, rows: readonly ClaimedRow[]): Promise<void> {
    await Promise.all(
      rows.map((row) => {
        const subject = `${options.subjectPrefix}.${row.subject}`;
        const traceContext = row.traceparent
          ? { traceparent: row.traceparent, ...(row.tracestate ? { tracestate: row.tracestate } : {}) }
          : undefined;
        return tracedPublish(subject, { id: row.id, type: row.type, traceContext }, (headers) =>
          client.publish(subject, row.envelope, {
            msgID: row.id,
            // A publish in flight when the server dies gets no answer: give up soon and retry.
            timeout: 2000,
            ...(headers ? { headers } : {}),
          }),
        );
      }),
    );
  }

  function idle(ms: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function run(): Promise<void> {
    let failuresInARow = 0;
    while (running) {
      try {
        const count = await publishBatch();
        failuresInARow = 0;
        if (count < batchSize) await idle(pollIntervalMs);
      } catch (error) {
        failures.inc();
        failuresInARow += 1;
        const delay = Math.min(250 * 2 ** failuresInARow, 5000);
        logger.warn({ err: error, retryInMs: delay }, 'publishing outbox events failed; they stay in the outbox');
        // A wake-up (a commit, or NATS reconnecting) cuts the back-off short.
        await idle(delay);
      }
    }
  }

  return {
    start(client) {
      if (running) return;
      js = client;
      running = true;
      loop = run();
    },
    wake() {
      if (wakeUp) wakeUp();
      else woken = true;
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop;
    },
    backlog,
  };
}
