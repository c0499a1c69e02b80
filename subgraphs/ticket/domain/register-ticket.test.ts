import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { Caller, Role, UserGrade } from '../../../ticketing/caller.ts';
import { Forbidden, InvalidInput, Unauthenticated } from '../../../ticketing/errors.ts';
import { parseEvent } from '../../../ticketing/events/contracts.ts';
import type { TicketDeps } from './ports.ts';
import { DEFAULT_CURRENCY, registerTicket, type RegisterTicketInput } from './register-ticket.ts';
import { InMemoryTicketRepository } from '../test/in-memory-ticket-repository.ts';
import { aCausation, rejectionOf } from '../../../test/support/domain.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

function aTicketWorld() {
  const clock = () => NOW;
  const tickets = new InMemoryTicketRepository(clock);
  const deps: TicketDeps = { tickets, clock };
  return { deps, tickets };
}

function aUser(overrides: { roles?: Role[]; grade?: UserGrade; userId?: string } = {}): Caller {
  return {
    kind: 'user',
    userId: overrides.userId ?? `user-${randomUUID()}`,
    roles: overrides.roles ?? ['USER'],
    grade: overrides.grade ?? 'NORMAL',
  };
}

const anAdmin = () => aUser({ roles: ['USER', 'ADMIN'] });

function aRegistration(overrides: Partial<RegisterTicketInput> = {}): RegisterTicketInput {
  return {
    name: 'Summer concert',
    startsAt: at(24 * HOUR),
    expiresAt: at(48 * HOUR),
    basePrice: 100_000,
    currency: 'KRW',
    ...overrides,
  };
}

describe('registerTicket', () => {
  describe('who may register', () => {
    it('when the caller is anonymous, it is refused with UNAUTHENTICATED and nothing is stored', async () => {
      const { deps, tickets } = aTicketWorld();

      const error = await rejectionOf(() => registerTicket(deps, { kind: 'anonymous' }, aRegistration(), aCausation()));

      expect(error).toBeInstanceOf(Unauthenticated);
      expect(error).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(tickets.tickets.size).toBe(0);
    });

    it('when the caller is a user without the ADMIN role, it is refused with FORBIDDEN and nothing is stored', async () => {
      const { deps, tickets } = aTicketWorld();

      const error = await rejectionOf(() =>
        registerTicket(deps, aUser({ grade: 'VIP' }), aRegistration(), aCausation()),
      );

      expect(error).toBeInstanceOf(Forbidden);
      expect(error).toMatchObject({ code: 'FORBIDDEN' });
      expect(tickets.outbox).toHaveLength(0);
    });

    it('when the caller is a service, it is refused with UNAUTHENTICATED: services act for no user', async () => {
      const { deps } = aTicketWorld();

      const error = await rejectionOf(() =>
        registerTicket(deps, { kind: 'service', service: 'reservation' }, aRegistration(), aCausation()),
      );

      expect(error).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('when the caller is an ADMIN, the ticket is stored AVAILABLE with its trimmed name and dates', async () => {
      const { deps, tickets } = aTicketWorld();
      const input = aRegistration({ name: '  Summer concert  ' });

      const ticket = await registerTicket(deps, anAdmin(), input, aCausation());

      expect(ticket).toMatchObject({
        name: 'Summer concert',
        startsAt: input.startsAt,
        expiresAt: input.expiresAt,
        state: 'AVAILABLE',
        heldBy: null,
      });
      expect(tickets.tickets.get(ticket.id)).toEqual(ticket);
    });

    it('when two tickets are registered, each gets its own id', async () => {
      const { deps } = aTicketWorld();

      const first = await registerTicket(deps, anAdmin(), aRegistration(), aCausation());
      const second = await registerTicket(deps, anAdmin(), aRegistration(), aCausation());

      expect(first.id).not.toBe(second.id);
    });
  });

  describe('validation', () => {
    const invalid: [string, Partial<RegisterTicketInput>, string][] = [
      ['the name is empty', { name: '' }, 'input.name'],
      ['the name is only whitespace', { name: '   ' }, 'input.name'],
      ['the name is longer than 200 characters', { name: 'x'.repeat(201) }, 'input.name'],
      ['startsAt is not a date', { startsAt: new Date('not a date') }, 'input.startsAt'],
      ['expiresAt is not a date', { expiresAt: new Date('not a date') }, 'input.expiresAt'],
      ['expiresAt is before startsAt', { startsAt: at(48 * HOUR), expiresAt: at(24 * HOUR) }, 'input.expiresAt'],
      ['expiresAt equals startsAt', { startsAt: at(24 * HOUR), expiresAt: at(24 * HOUR) }, 'input.expiresAt'],
      ['expiresAt is in the past', { startsAt: at(-48 * HOUR), expiresAt: at(-HOUR) }, 'input.expiresAt'],
      ['expiresAt is now', { startsAt: at(-HOUR), expiresAt: at(0) }, 'input.expiresAt'],
      ['basePrice is negative', { basePrice: -1 }, 'input.basePrice'],
      ['basePrice is not a whole number', { basePrice: 10.5 }, 'input.basePrice'],
      ['basePrice is above the maximum', { basePrice: 1_000_000_001 }, 'input.basePrice'],
      ['basePrice is not a number', { basePrice: Number.NaN }, 'input.basePrice'],
      ['the currency is lowercase', { currency: 'krw' }, 'input.currency'],
      ['the currency is not three letters', { currency: 'EURO' }, 'input.currency'],
      ['the currency is empty', { currency: '' }, 'input.currency'],
    ];

    it.each(invalid)(
      'when %s, it is refused naming the field and nothing is stored',
      async (_case, overrides, field) => {
        const { deps, tickets } = aTicketWorld();

        const error = await rejectionOf(() => registerTicket(deps, anAdmin(), aRegistration(overrides), aCausation()));

        expect(error).toBeInstanceOf(InvalidInput);
        expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
        expect(tickets.tickets.size).toBe(0);
        expect(tickets.outbox).toHaveLength(0);
      },
    );

    it('when startsAt is already past but expiresAt is still ahead, the ticket is registered', async () => {
      const { deps } = aTicketWorld();

      const ticket = await registerTicket(
        deps,
        anAdmin(),
        aRegistration({ startsAt: at(-HOUR), expiresAt: at(HOUR) }),
        aCausation(),
      );

      expect(ticket.state).toBe('AVAILABLE');
    });

    it('when basePrice is 0 or the maximum, the ticket is registered', async () => {
      const { deps, tickets } = aTicketWorld();

      const free = await registerTicket(deps, anAdmin(), aRegistration({ basePrice: 0 }), aCausation());
      const dearest = await registerTicket(deps, anAdmin(), aRegistration({ basePrice: 1_000_000_000 }), aCausation());

      expect(await tickets.findByIds([free.id, dearest.id])).toHaveLength(2);
      expect(tickets.outbox.map((event) => event.type)).toEqual(['TicketRegistered', 'TicketRegistered']);
    });
  });

  describe('the TicketRegistered event', () => {
    it('when a ticket is registered, the event stored with it is a valid TicketRegistered envelope for that ticket', async () => {
      const { deps, tickets } = aTicketWorld();
      const input = aRegistration({ name: ' Winter gala ', basePrice: 75_000, currency: 'USD' });

      const ticket = await registerTicket(deps, anAdmin(), input, aCausation());

      expect(tickets.outbox).toHaveLength(1);
      const event = tickets.outbox[0];
      expect(() => parseEvent(JSON.parse(JSON.stringify(event)))).not.toThrow();
      expect(event).toMatchObject({
        type: 'TicketRegistered',
        version: 1,
        ticketId: ticket.id,
        data: {
          name: 'Winter gala',
          startsAt: input.startsAt.toISOString(),
          expiresAt: input.expiresAt.toISOString(),
          basePrice: 75_000,
          currency: 'USD',
        },
      });
    });

    it('when a ticket is registered, the event carries the correlation and causation of the request', async () => {
      const { deps, tickets } = aTicketWorld();
      const causation = aCausation({ causationId: `request-${randomUUID()}` });

      await registerTicket(deps, anAdmin(), aRegistration(), causation);

      expect(tickets.outbox[0]).toMatchObject({
        correlationId: causation.correlationId,
        causationId: causation.causationId,
      });
    });

    it('when no currency is given, the ticket and its event use the default currency', async () => {
      const { deps, tickets } = aTicketWorld();

      await registerTicket(deps, anAdmin(), aRegistration({ currency: null }), aCausation());
      await registerTicket(deps, anAdmin(), aRegistration({ currency: undefined }), aCausation());

      expect(tickets.outbox.map((event) => event.type === 'TicketRegistered' && event.data.currency)).toEqual([
        DEFAULT_CURRENCY,
        DEFAULT_CURRENCY,
      ]);
    });
  });
});
