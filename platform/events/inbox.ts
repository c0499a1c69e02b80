/**
 * The inbox of a consuming service: the ids of the events it has applied, recorded in the same
 * transaction as each event's effect, so that a redelivered event changes nothing.
 */
import type { EventEnvelope } from '../../ticketing/events/contracts.ts';

/** The part of a Prisma transaction client the inbox needs. */
export interface InboxWriter {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
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
