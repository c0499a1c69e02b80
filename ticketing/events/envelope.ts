/** Building events in the domain: an envelope around validated data, caused by a request or an event. */
import { randomUUID } from 'node:crypto';
import {
  EVENT_VERSION,
  eventContracts,
  parseEvent,
  type EventData,
  type EventEnvelope,
  type EventType,
} from './contracts.ts';

/** What caused the change an event announces: a client request, or another event. */
export interface Causation {
  correlationId: string;
  causationId: string | null;
}

export function causedBy(event: EventEnvelope): Causation {
  return { correlationId: event.correlationId, causationId: event.id };
}

export interface CorrelationKeys {
  ticketId?: string;
  reservationId?: string;
  userId?: string;
}

export function newEvent<T extends EventType>(
  type: T,
  keys: CorrelationKeys,
  data: EventData<T>,
  causation: Causation,
  now: Date = new Date(),
): EventEnvelope<T> {
  const event = {
    id: randomUUID(),
    type,
    version: EVENT_VERSION,
    occurredAt: now.toISOString(),
    correlationId: causation.correlationId,
    causationId: causation.causationId,
    ...keys,
    data,
  };
  // A producer never writes an event its consumers would refuse.
  return parseEvent(event) as EventEnvelope<T>;
}

export function subjectOf(type: EventType): string {
  return eventContracts[type].subject;
}
