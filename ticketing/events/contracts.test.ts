/**
 * The contract between producers and consumers: what a producer builds with `newEvent` is what
 * every consumer accepts with `parseEvent`, after the trip through JSON that the outbox and NATS
 * give it; and what breaks the contract is refused with `InvalidEvent`.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  EVENT_VERSION,
  eventContracts,
  InvalidEvent,
  isEventType,
  parseEvent,
  type EventData,
  type EventEnvelope,
  type EventType,
} from './contracts.ts';
import { causedBy, newEvent, subjectOf, type Causation, type CorrelationKeys } from './envelope.ts';
import { aCausation } from '../../test/support/domain.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');

const allEventTypes: EventType[] = Object.keys(eventContracts).filter(isEventType);

function aPriceData(overrides: Partial<EventData<'PriceAssigned'>> = {}): EventData<'PriceAssigned'> {
  return {
    currency: 'KRW',
    basePrice: 100_000,
    policyDiscount: 10_000,
    vipDiscount: 9_000,
    finalPrice: 81_000,
    policyId: randomUUID(),
    ...overrides,
  };
}

/** Valid data for every event type; the mapped type makes a new event type fail to compile here until it has a sample. */
function sampleData(): { [T in EventType]: EventData<T> } {
  return {
    TicketRegistered: {
      name: 'Summer concert',
      startsAt: new Date(NOW.getTime() + 86_400_000).toISOString(),
      expiresAt: new Date(NOW.getTime() + 2 * 86_400_000).toISOString(),
      basePrice: 100_000,
      currency: 'KRW',
    },
    TicketHeld: {},
    TicketReleased: {},
    TicketReserved: { userGrade: 'VIP' },
    ReservationCancelled: { userGrade: 'NORMAL' },
    HoldAbandoned: { reason: 'hold-timed-out' },
    PriceAssigned: aPriceData(),
    VipDiscountApplied: aPriceData(),
    VipDiscountReverted: aPriceData(),
  };
}

function someKeys(): CorrelationKeys {
  return { ticketId: randomUUID(), reservationId: randomUUID(), userId: `user-${randomUUID()}` };
}

/** The producer path. */
function produced<T extends EventType>(type: T, causation: Causation = aCausation()): EventEnvelope<T> {
  return newEvent(type, someKeys(), sampleData()[type], causation, NOW);
}

/** What a consumer receives: the event as JSON on the wire. */
function overTheWire(event: unknown): unknown {
  return JSON.parse(JSON.stringify(event));
}

function withoutField(event: EventEnvelope, field: keyof EventEnvelope): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...event };
  delete copy[field];
  return copy;
}

function invalidEventMessage(value: unknown): string {
  try {
    parseEvent(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEvent);
    return String(error);
  }
  throw new Error('expected parseEvent to refuse the event');
}

describe('event contracts between producers and consumers', () => {
  it('when listing the contracts, every event type is known to isEventType', () => {
    expect(allEventTypes.length).toBeGreaterThan(0);
    expect(allEventTypes).toEqual(Object.keys(eventContracts));
  });

  it.each(allEventTypes)('when a producer builds a %s event, every consumer accepts it unchanged', (type) => {
    const event = produced(type);

    const received = parseEvent(overTheWire(event));

    expect(received).toEqual(event);
    expect(received.type).toBe(type);
    expect(received.version).toBe(EVENT_VERSION);
  });

  it.each(allEventTypes)(
    'when a %s event is caused by another event, the consumer sees the same correlation and the cause',
    (type) => {
      const cause = produced('TicketReserved');

      const event = parseEvent(overTheWire(produced(type, causedBy(cause))));

      expect(event.correlationId).toBe(cause.correlationId);
      expect(event.causationId).toBe(cause.id);
    },
  );

  it('when events are produced, each gets its own id and the given time', () => {
    const first = produced('TicketHeld');
    const second = produced('TicketHeld');

    expect(first.id).not.toBe(second.id);
    expect(first.occurredAt).toBe(NOW.toISOString());
  });

  it('when an event has only some correlation keys, the consumer accepts it', () => {
    const event = newEvent(
      'TicketRegistered',
      { ticketId: randomUUID() },
      sampleData().TicketRegistered,
      aCausation(),
      NOW,
    );

    expect(parseEvent(overTheWire(event))).toEqual(event);
  });

  it('when an event carries the trace context of its writer, the consumer keeps it; one stored before has none', () => {
    const traceContext = {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'vendor=value',
    };
    const traced = { ...produced('TicketReserved'), traceContext };

    expect(parseEvent(overTheWire(traced)).traceContext).toEqual(traceContext);
    expect(parseEvent(overTheWire(produced('TicketReserved'))).traceContext).toBeUndefined();
  });

  it('when the trace context is not a W3C traceparent, it is refused naming traceContext', () => {
    const message = invalidEventMessage({ ...produced('TicketHeld'), traceContext: { traceparent: 'not-a-trace' } });

    expect(message).toContain('traceContext.traceparent');
  });

  describe('when an event breaks the contract, the consumer refuses it with InvalidEvent', () => {
    it('when the type is unknown, it is refused', () => {
      const message = invalidEventMessage({ ...produced('TicketHeld'), type: 'TicketTeleported' });

      expect(message).toContain('type');
    });

    it('when the correlationId is missing, it is refused naming correlationId', () => {
      const message = invalidEventMessage(withoutField(produced('TicketReserved'), 'correlationId'));

      expect(message).toContain('correlationId');
    });

    it('when the correlationId is empty, it is refused naming correlationId', () => {
      const message = invalidEventMessage({ ...produced('TicketReserved'), correlationId: '' });

      expect(message).toContain('correlationId');
    });

    it('when the version is not the current one, it is refused naming version', () => {
      const message = invalidEventMessage({ ...produced('TicketReleased'), version: EVENT_VERSION + 1 });

      expect(message).toContain('version');
    });

    it('when the version is missing, it is refused', () => {
      invalidEventMessage(withoutField(produced('TicketReleased'), 'version'));
    });

    it.each(['basePrice', 'policyDiscount', 'vipDiscount', 'finalPrice'] as const)(
      'when the %s of a price event is negative, it is refused naming it',
      (amount) => {
        const event = produced('PriceAssigned');

        const message = invalidEventMessage({ ...event, data: { ...event.data, [amount]: -1 } });

        expect(message).toContain(`data.${amount}`);
      },
    );

    it('when the base price of a registered ticket is negative, it is refused', () => {
      const event = produced('TicketRegistered');

      const message = invalidEventMessage({ ...event, data: { ...event.data, basePrice: -100 } });

      expect(message).toContain('data.basePrice');
    });

    it('when a key that must be a UUID is not one, it is refused naming it', () => {
      expect(invalidEventMessage({ ...produced('TicketHeld'), ticketId: 'ticket-1' })).toContain('ticketId');
      expect(invalidEventMessage({ ...produced('TicketHeld'), id: 'event-1' })).toMatch(/\bid: /);
    });

    it('when the data does not match its type, it is refused', () => {
      const message = invalidEventMessage({ ...produced('TicketReserved'), data: { userGrade: 'GOLD' } });

      expect(message).toContain('data.userGrade');
    });

    it('when the value is not an object at all, it is refused', () => {
      invalidEventMessage('TicketHeld');
      invalidEventMessage(null);
    });
  });

  it('when a producer builds an event its consumers would refuse, newEvent refuses it with InvalidEvent', () => {
    expect(() => newEvent('PriceAssigned', someKeys(), aPriceData({ finalPrice: -1 }), aCausation(), NOW)).toThrow(
      InvalidEvent,
    );
    expect(() => newEvent('TicketHeld', { ticketId: 'not-a-uuid' }, {}, aCausation(), NOW)).toThrow(InvalidEvent);
    expect(() => newEvent('TicketHeld', {}, {}, { correlationId: '', causationId: null }, NOW)).toThrow(InvalidEvent);
  });

  describe('subjects', () => {
    it('when comparing the subjects of all event types, no two types share one', () => {
      const subjects = allEventTypes.map(subjectOf);

      expect(new Set(subjects).size).toBe(allEventTypes.length);
    });

    it.each(allEventTypes)(
      'when publishing %s, its subject is a plain dotted NATS subject with no wildcard',
      (type) => {
        expect(subjectOf(type)).toBe(eventContracts[type].subject);
        expect(subjectOf(type)).toMatch(/^[a-z-]+(\.[a-z-]+)+$/);
      },
    );
  });
});
