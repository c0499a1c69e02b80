/**
 * The event contracts of the ticketing saga: one schema per event type, shared by the producer
 * (validated before an event is written to an outbox) and every consumer (validated on receipt).
 * The envelope carries the correlation keys at its top level so any consumer can route and log
 * an event without understanding its `data`.
 */
import { z } from 'zod';

const id = z.uuid();
const isoDateTime = z.iso.datetime({ offset: true });
// The largest amount registerTicket accepts: a producer can never emit what a consumer cannot store.
const money = z.number().int().min(0).max(1_000_000_000);
const grade = z.enum(['NORMAL', 'VIP']);

const priceData = z.object({
  currency: z.string(),
  basePrice: money,
  policyDiscount: money,
  vipDiscount: money,
  finalPrice: money,
  policyId: id,
});

/** Each event type: its subject (below the configured prefix) and the schema of its `data`. */
export const eventContracts = {
  TicketRegistered: {
    subject: 'ticket.registered',
    data: z.object({
      name: z.string(),
      startsAt: isoDateTime,
      expiresAt: isoDateTime,
      basePrice: money,
      currency: z.string(),
    }),
  },
  TicketHeld: { subject: 'ticket.held', data: z.object({}) },
  TicketReleased: { subject: 'ticket.released', data: z.object({}) },
  TicketReserved: { subject: 'reservation.reserved', data: z.object({ userGrade: grade }) },
  ReservationCancelled: { subject: 'reservation.cancelled', data: z.object({ userGrade: grade }) },
  /** A hold whose outcome reservation could not confirm (timeout, lost answer, failed commit). */
  HoldAbandoned: { subject: 'reservation.hold-abandoned', data: z.object({ reason: z.string() }) },
  PriceAssigned: { subject: 'price.assigned', data: priceData },
  VipDiscountApplied: { subject: 'price.vip-discount-applied', data: priceData },
  VipDiscountReverted: { subject: 'price.vip-discount-reverted', data: priceData },
} as const;

export type EventType = keyof typeof eventContracts;
export type EventData<T extends EventType> = z.output<(typeof eventContracts)[T]['data']>;

export const EVENT_VERSION = 1;

/**
 * The W3C trace context (https://www.w3.org/TR/trace-context/) of the work that wrote an event,
 * so whoever handles it continues that trace. Optional: events written without tracing, and
 * every event stored before the field existed, have none.
 */
export const traceContextSchema = z.object({
  traceparent: z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/),
  tracestate: z.string().max(512).optional(),
});

export type TraceContext = z.output<typeof traceContextSchema>;

const envelopeFields = {
  id,
  version: z.literal(EVENT_VERSION),
  occurredAt: isoDateTime,
  /** The id of the client request that started the saga. */
  correlationId: z.string().min(1),
  /** The id of the event (or request) that caused this one. */
  causationId: z.string().min(1).nullable(),
  ticketId: id.optional(),
  reservationId: id.optional(),
  userId: z.string().optional(),
  traceContext: traceContextSchema.optional(),
};

const envelopeSchemas = Object.entries(eventContracts).map(([type, contract]) =>
  z.object({ ...envelopeFields, type: z.literal(type), data: contract.data }),
);

export const eventEnvelopeSchema = z.discriminatedUnion(
  'type',
  envelopeSchemas as unknown as [(typeof envelopeSchemas)[number], ...(typeof envelopeSchemas)[number][]],
);

export type EventEnvelope<T extends EventType = EventType> = {
  [K in T]: {
    id: string;
    type: K;
    version: typeof EVENT_VERSION;
    occurredAt: string;
    correlationId: string;
    causationId: string | null;
    ticketId?: string;
    reservationId?: string;
    userId?: string;
    traceContext?: TraceContext;
    data: EventData<K>;
  };
}[T];

export class InvalidEvent extends Error {
  override readonly name = 'InvalidEvent';
}

/** Parses and validates an envelope; throws `InvalidEvent` naming what is wrong. */
export function parseEvent(value: unknown): EventEnvelope {
  const result = eventEnvelopeSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(envelope)'}: ${i.message}`);
    throw new InvalidEvent(`invalid event: ${problems.join('; ')}`);
  }
  return result.data as EventEnvelope;
}

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(eventContracts, value);
}
