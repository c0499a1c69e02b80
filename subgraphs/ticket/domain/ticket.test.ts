import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { isHeldBy, statusOf, type Ticket } from './ticket.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

function aTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: randomUUID(),
    name: 'Summer concert',
    startsAt: at(-2 * HOUR),
    expiresAt: at(HOUR),
    state: 'AVAILABLE',
    heldBy: null,
    createdAt: at(-3 * HOUR),
    updatedAt: at(-3 * HOUR),
    ...overrides,
  };
}

function aHeldTicket(reservationId: string, overrides: Partial<Ticket> = {}): Ticket {
  return aTicket({ state: 'RESERVED', heldBy: reservationId, ...overrides });
}

describe('statusOf', () => {
  it('when an AVAILABLE ticket has not expired yet, it is AVAILABLE', () => {
    expect(statusOf(aTicket({ expiresAt: at(1) }), NOW)).toBe('AVAILABLE');
  });

  it('when an AVAILABLE ticket reaches its expiry exactly, it is EXPIRED', () => {
    expect(statusOf(aTicket({ expiresAt: at(0) }), NOW)).toBe('EXPIRED');
  });

  it('when an AVAILABLE ticket is past its expiry, it is EXPIRED', () => {
    expect(statusOf(aTicket({ expiresAt: at(-HOUR) }), NOW)).toBe('EXPIRED');
  });

  it('when a RESERVED ticket has not expired, it is RESERVED', () => {
    expect(statusOf(aHeldTicket(randomUUID(), { expiresAt: at(HOUR) }), NOW)).toBe('RESERVED');
  });

  it('when a RESERVED ticket is past its expiry, it stays RESERVED', () => {
    expect(statusOf(aHeldTicket(randomUUID(), { expiresAt: at(-HOUR) }), NOW)).toBe('RESERVED');
    expect(statusOf(aHeldTicket(randomUUID(), { expiresAt: at(0) }), NOW)).toBe('RESERVED');
  });
});

describe('isHeldBy', () => {
  it('when the ticket is RESERVED by the reservation, it is held by it', () => {
    const reservationId = randomUUID();

    expect(isHeldBy(aHeldTicket(reservationId), reservationId)).toBe(true);
  });

  it('when the ticket is RESERVED by another reservation, it is not held by this one', () => {
    expect(isHeldBy(aHeldTicket(randomUUID()), randomUUID())).toBe(false);
  });

  it('when the ticket is AVAILABLE, it is held by nobody', () => {
    expect(isHeldBy(aTicket(), randomUUID())).toBe(false);
  });

  it('when the ticket is AVAILABLE but still names a holder, it is not held by that holder', () => {
    const reservationId = randomUUID();

    expect(isHeldBy(aTicket({ state: 'AVAILABLE', heldBy: reservationId }), reservationId)).toBe(false);
  });
});
