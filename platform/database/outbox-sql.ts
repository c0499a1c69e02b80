/** The outbox inside one SQL statement, for a hot path that changes state and appends its event at once. */
import { raw, sqltag as sql, type Sql } from '@prisma/client/runtime/client';
import type { EventEnvelope } from '../../ticketing/events/contracts.ts';
import { outboxRowOf } from '../events/outbox.ts';

/**
 * The part of one SQL statement that appends `event` to the outbox once for each row of `source`
 * (the name of a common table expression of that statement: the change the event announces), so
 * the change and its event commit together without an interactive transaction.
 */
export function appendToOutboxFrom(source: string, event: EventEnvelope): Sql {
  const row = outboxRowOf(event);
  return sql`
    INSERT INTO outbox_event (id, type, subject, envelope, occurred_at)
    SELECT ${row.id}::uuid, ${row.type}, ${row.subject}, ${JSON.stringify(row.envelope)}::jsonb, ${row.occurredAt}
    FROM ${raw(source)}`;
}
