import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { Caller } from '../../../ticketing/caller.ts';
import { Forbidden, InvalidInput } from '../../../ticketing/errors.ts';
import { parseEvent } from '../../../ticketing/events/contracts.ts';
import { TicketExpired, TicketNotAvailable, TicketNotFound } from '../../../ticketing/ticket-errors.ts';
import { holdTicket } from './hold-ticket.ts';
import type { TicketDeps } from './ports.ts';
import type { Ticket } from './ticket.ts';
import { InMemoryTicketRepository } from '../test/in-memory-ticket-repository.ts';
import { aCausation, rejectionOf } from '../../../test/support/domain.ts';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);

function aTicketWorld() {
  const tickets = new InMemoryTicketRepository(() => NOW);
  const deps: TicketDeps = { tickets, clock: () => NOW };
  return { deps, tickets };
}

function aTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: randomUUID(),
    name: 'Summer concert',
    startsAt: at(-HOUR),
    expiresAt: at(24 * HOUR),
    state: 'AVAILABLE',
    heldBy: null,
    createdAt: at(-2 * HOUR),
    updatedAt: at(-2 * HOUR),
    ...overrides,
  };
}

const reservationService: Caller = { kind: 'service', service: 'reservation' };

describe('holdTicket', () => {
  it('when the reservation service holds an AVAILABLE ticket, it becomes RESERVED by that reservation', async () => {
    const { deps, tickets } = aTicketWorld();
    const ticket = tickets.add(aTicket());
    const reservationId = randomUUID();

    const hold = await holdTicket(deps, reservationService, ticket.id, reservationId, aCausation());

    expect(hold).toEqual({ ticketId: ticket.id, reservationId, status: 'RESERVED' });
    expect(tickets.tickets.get(ticket.id)).toMatchObject({ state: 'RESERVED', heldBy: reservationId });
  });

  it('when a ticket is held, a valid TicketHeld event for it is written with the request correlation and the clock time', async () => {
    const { deps, tickets } = aTicketWorld();
    const ticket = tickets.add(aTicket());
    const reservationId = randomUUID();
    const causation = aCausation();

    await holdTicket(deps, reservationService, ticket.id, reservationId, causation);

    expect(tickets.outbox).toHaveLength(1);
    const event = tickets.outbox[0];
    expect(() => parseEvent(JSON.parse(JSON.stringify(event)))).not.toThrow();
    expect(event).toMatchObject({
      type: 'TicketHeld',
      ticketId: ticket.id,
      reservationId,
      correlationId: causation.correlationId,
      causationId: null,
      occurredAt: NOW.toISOString(),
    });
  });

  describe('who may hold', () => {
    const refused: [string, Caller][] = [
      ['an anonymous caller', { kind: 'anonymous' }],
      ['a user', { kind: 'user', userId: 'user-1', roles: ['USER'], grade: 'VIP' }],
      ['an ADMIN', { kind: 'user', userId: 'admin-1', roles: ['USER', 'ADMIN'], grade: 'NORMAL' }],
      ['another service', { kind: 'service', service: 'price' }],
    ];

    it.each(refused)(
      'when %s tries to hold, it is refused with FORBIDDEN and the ticket stays AVAILABLE',
      async (_who, caller) => {
        const { deps, tickets } = aTicketWorld();
        const ticket = tickets.add(aTicket());

        const error = await rejectionOf(() => holdTicket(deps, caller, ticket.id, randomUUID(), aCausation()));

        expect(error).toBeInstanceOf(Forbidden);
        expect(error).toMatchObject({ code: 'FORBIDDEN' });
        expect(tickets.tickets.get(ticket.id)).toMatchObject({ state: 'AVAILABLE', heldBy: null });
        expect(tickets.outbox).toHaveLength(0);
      },
    );
  });

  it('when the same reservation holds the ticket a second time, it succeeds again without a second event', async () => {
    const { deps, tickets } = aTicketWorld();
    const ticket = tickets.add(aTicket());
    const reservationId = randomUUID();
    await holdTicket(deps, reservationService, ticket.id, reservationId, aCausation());

    const again = await holdTicket(deps, reservationService, ticket.id, reservationId, aCausation());

    expect(again).toEqual({ ticketId: ticket.id, reservationId, status: 'RESERVED' });
    expect(tickets.tickets.get(ticket.id)).toMatchObject({ state: 'RESERVED', heldBy: reservationId });
    expect(tickets.outbox).toHaveLength(1);
  });

  it('when the holding reservation retries after the ticket has expired, the retry still succeeds', async () => {
    const { deps, tickets } = aTicketWorld();
    const reservationId = randomUUID();
    const ticket = tickets.add(aTicket({ state: 'RESERVED', heldBy: reservationId, expiresAt: at(-HOUR) }));

    await expect(holdTicket(deps, reservationService, ticket.id, reservationId, aCausation())).resolves.toEqual({
      ticketId: ticket.id,
      reservationId,
      status: 'RESERVED',
    });
  });

  it('when another reservation already holds the ticket, it is refused with TicketNotAvailable and the first hold stands', async () => {
    const { deps, tickets } = aTicketWorld();
    const ticket = tickets.add(aTicket());
    const first = randomUUID();
    await holdTicket(deps, reservationService, ticket.id, first, aCausation());

    const error = await rejectionOf(() => holdTicket(deps, reservationService, ticket.id, randomUUID(), aCausation()));

    expect(error).toBeInstanceOf(TicketNotAvailable);
    expect(error).toMatchObject({ code: 'TICKET_NOT_AVAILABLE', ticketId: ticket.id });
    expect(tickets.tickets.get(ticket.id)).toMatchObject({ state: 'RESERVED', heldBy: first });
    expect(tickets.outbox).toHaveLength(1);
  });

  it('when another reservation holds a ticket that has since expired, it is still TicketNotAvailable, not TicketExpired', async () => {
    const { deps, tickets } = aTicketWorld();
    const ticket = tickets.add(aTicket({ state: 'RESERVED', heldBy: randomUUID(), expiresAt: at(-HOUR) }));

    const error = await rejectionOf(() => holdTicket(deps, reservationService, ticket.id, randomUUID(), aCausation()));

    expect(error).toBeInstanceOf(TicketNotAvailable);
  });

  it('when the AVAILABLE ticket has expired, it is refused with TicketExpired and stays AVAILABLE', async () => {
    const { deps, tickets } = aTicketWorld();
    const ticket = tickets.add(aTicket({ startsAt: at(-2 * HOUR), expiresAt: at(-HOUR) }));

    const error = await rejectionOf(() => holdTicket(deps, reservationService, ticket.id, randomUUID(), aCausation()));

    expect(error).toBeInstanceOf(TicketExpired);
    expect(error).toMatchObject({ code: 'TICKET_EXPIRED', ticketId: ticket.id });
    expect(tickets.tickets.get(ticket.id)).toMatchObject({ state: 'AVAILABLE', heldBy: null });
    expect(tickets.outbox).toHaveLength(0);
  });

  it('when the ticket expires exactly now, it is refused with TicketExpired', async () => {
    const { deps, tickets } = aTicketWorld();
    const ticket = tickets.add(aTicket({ expiresAt: at(0) }));

    const error = await rejectionOf(() => holdTicket(deps, reservationService, ticket.id, randomUUID(), aCausation()));

    expect(error).toBeInstanceOf(TicketExpired);
  });

  it('when the ticket does not exist, it is refused with TicketNotFound', async () => {
    const { deps, tickets } = aTicketWorld();
    const unknownId = randomUUID();

    const error = await rejectionOf(() => holdTicket(deps, reservationService, unknownId, randomUUID(), aCausation()));

    expect(error).toBeInstanceOf(TicketNotFound);
    expect(error).toMatchObject({ code: 'TICKET_NOT_FOUND', ticketId: unknownId });
    expect(tickets.outbox).toHaveLength(0);
  });

  it('when the ticket id is not a UUID, it is refused naming ticketId', async () => {
    const { deps } = aTicketWorld();

    const error = await rejectionOf(() => holdTicket(deps, reservationService, 'ticket-1', randomUUID(), aCausation()));

    expect(error).toBeInstanceOf(InvalidInput);
    expect(error).toMatchObject({ field: 'ticketId' });
  });

  it('when the reservation id is not a UUID, it is refused naming reservationId', async () => {
    const { deps, tickets } = aTicketWorld();
    const ticket = tickets.add(aTicket());

    const error = await rejectionOf(() =>
      holdTicket(deps, reservationService, ticket.id, 'reservation-1', aCausation()),
    );

    expect(error).toBeInstanceOf(InvalidInput);
    expect(error).toMatchObject({ field: 'reservationId' });
    expect(tickets.tickets.get(ticket.id)).toMatchObject({ state: 'AVAILABLE' });
  });
});
