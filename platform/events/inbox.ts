/**
 * The inbox of a consuming service: the ids of the events it has applied, recorded in the same
 * transaction as each event's effect, so that a redelivered event changes nothing.
 */
import type { EventEnvelope } from '../../ticketing/events/contracts.ts';

/** The part of a Prisma transaction client the inbox needs. */
export interface InboxWriter {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** The same, for a statement whose rows come back. */
export interface InboxReader {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/**
 * Records an event as processed, inside the transaction of its effect. Returns false when it was
 * already processed: the caller then skips the effect, so a redelivery changes nothing.
 */
export async function recordInInbox(tx: InboxWriter, event: EventEnvelope): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    'INSERT INTO inbox_event (id, type) VALUES ($1::uuid, $2) ON CONFLICT (id) DO NOTHING',
    event.id,
    event.type,
  );
  return inserted === 1;
}

/**
 * Records a batch of events as processed, in one statement inside the transaction of their
 * effects. Returns the ids recorded now: an event recorded before (or twice in the batch) is
 * applied by no one but the first.
 */
export async function recordBatchInInbox(tx: InboxReader, events: readonly EventEnvelope[]): Promise<Set<string>> {
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO inbox_event (id, type) SELECT * FROM unnest($1::uuid[], $2::text[])
     ON CONFLICT (id) DO NOTHING RETURNING id::text AS id`,
    events.map((event) => event.id),
    events.map((event) => event.type),
  );
  return new Set(rows.map((row) => row.id));
}
