/**
 * The rules of the ticket repository port, as one suite every implementation runs: the PostgreSQL
 * repository in a component test, the in-memory fake the domain tests use in a unit test. A fake
 * that drifts from the real rules fails here instead of letting a domain test pass on a fiction.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { newEvent } from '../../../ticketing/events/envelope.ts';
import { backward, forward } from '../../../platform/pagination.ts';
import { walkPages } from '../../../test/support/pages.ts';
import { aCausation } from '../../../test/support/domain.ts';
import type { NewTicket, TicketRepository } from '../domain/ports.ts';
import type { Ticket, TicketStatus } from '../domain/ticket.ts';

export interface TicketRepositoryUnderTest {
  /** A repository over an empty store. */
  repository: TicketRepository;
  /** Ids of the events the repository wrote to its outbox, in the order written. */
  outboxEventIds(): Promise<string[]>;
}

const HOUR = 60 * 60 * 1000;

function aNewTicket(now: Date, overrides: Partial<NewTicket> = {}): NewTicket {
  return {
    id: randomUUID(),
    name: 'Contract concert',
    startsAt: new Date(now.getTime() + HOUR),
    expiresAt: new Date(now.getTime() + 2 * HOUR),
    ...overrides,
  };
}

const registeredEvent = (ticket: NewTicket): EventEnvelope<'TicketRegistered'> =>
  newEvent(
    'TicketRegistered',
    { ticketId: ticket.id },
    {
      name: ticket.name,
      startsAt: ticket.startsAt.toISOString(),
      expiresAt: ticket.expiresAt.toISOString(),
      basePrice: 10_000,
      currency: 'KRW',
    },
    aCausation(),
  );

const heldEvent = (ticketId: string, reservationId: string) =>
  newEvent('TicketHeld', { ticketId, reservationId }, {}, aCausation());

const releasedEvent = (ticketId: string, reservationId: string) =>
  newEvent('TicketReleased', { ticketId, reservationId }, {}, aCausation());

const cancelledEvent = (ticketId: string, reservationId: string) =>
  newEvent('ReservationCancelled', { ticketId, reservationId, userId: 'u-1' }, { userGrade: 'NORMAL' }, aCausation());

/** The listing order the port promises: registration time, then id for tickets registered at one instant. */
function inListingOrder(tickets: Ticket[]): Ticket[] {
  return [...tickets].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
}

const ids = (tickets: Ticket[]) => tickets.map((t) => t.id);
const keyOf = (ticket: Ticket) => ({ at: ticket.createdAt, id: ticket.id });

export function describeTicketRepositoryContract(
  implementation: string,
  open: () => Promise<TicketRepositoryUnderTest>,
): void {
  describe(`the ticket repository contract (${implementation})`, () => {
    let tickets: TicketRepository;
    let outboxEventIds: () => Promise<string[]>;
    const now = new Date();

    beforeEach(async () => {
      ({ repository: tickets, outboxEventIds } = await open());
    });

    async function register(overrides: Partial<NewTicket> = {}): Promise<Ticket> {
      const ticket = aNewTicket(now, overrides);
      return tickets.register(ticket, registeredEvent(ticket));
    }

    async function registerSeveral(count: number): Promise<Ticket[]> {
      const registered: Ticket[] = [];
      for (let i = 0; i < count; i++) registered.push(await register());
      return registered;
    }

    /** Whether the hold was taken. */
    async function hold(ticketId: string, reservationId: string = randomUUID(), at: Date = now) {
      return (await attemptHold(ticketId, reservationId, at)).held;
    }

    async function attemptHold(ticketId: string, reservationId: string = randomUUID(), at: Date = now) {
      return tickets.holdIfAvailable(ticketId, reservationId, at, heldEvent(ticketId, reservationId));
    }

    async function list(
      status: TicketStatus | undefined,
      page: Parameters<TicketRepository['list']>[1],
      at: Date = now,
    ) {
      return tickets.list({ status, now: at }, page);
    }

    describe('registration and lookup', () => {
      it('registers an AVAILABLE ticket held by nobody, with its TicketRegistered event', async () => {
        const input = aNewTicket(now);
        const registered = registeredEvent(input);

        const ticket = await tickets.register(input, registered);

        expect(ticket).toMatchObject({ ...input, state: 'AVAILABLE', heldBy: null });
        expect(await tickets.findById(input.id)).toEqual(ticket);
        expect(await outboxEventIds()).toEqual([registered.id]);
      });

      it('finds nothing for an unknown id', async () => {
        expect(await tickets.findById(randomUUID())).toBeNull();
      });

      it('finds each of several tickets once, skipping unknown ids', async () => {
        const [a, b] = await registerSeveral(2);
        const found = await tickets.findByIds([a!.id, randomUUID(), b!.id, a!.id]);
        expect(ids(found).sort()).toEqual([a!.id, b!.id].sort());
      });

      it('counts the registered tickets', async () => {
        expect(await tickets.count()).toBe(0);
        await registerSeveral(3);
        expect(await tickets.count()).toBe(3);
      });
    });

    describe('listing', () => {
      it('lists every ticket in registration order, then by id', async () => {
        const registered = await registerSeveral(5);
        expect(ids(await list(undefined, forward(10)))).toEqual(ids(inListingOrder(registered)));
      });

      it('returns at most first + 1 tickets, the extra one only saying there is more', async () => {
        const ordered = inListingOrder(await registerSeveral(5));
        expect(ids(await list(undefined, forward(2)))).toEqual(ids(ordered.slice(0, 3)));
      });

      it('starts a page right after its cursor, so walking the pages visits every ticket once', async () => {
        const ordered = inListingOrder(await registerSeveral(5));
        const visited = await walkPages((page) => list(undefined, page), keyOf, 2);
        expect(ids(visited)).toEqual(ids(ordered));
      });

      it('reads backward from the end, the last ones nearest the end first, at most last + 1', async () => {
        const ordered = inListingOrder(await registerSeveral(5));
        expect(ids(await list(undefined, backward(2)))).toEqual(ids(ordered.slice(2).reverse()));
      });

      it('starts a backward page right before its cursor, so walking back visits every ticket once', async () => {
        const ordered = inListingOrder(await registerSeveral(5));
        expect(ids(await list(undefined, backward(10, keyOf(ordered[2]!))))).toEqual(
          ids(ordered.slice(0, 2).reverse()),
        );
        const visited = await walkPages((page) => list(undefined, page), keyOf, 2, 'backward');
        expect(ids(visited)).toEqual(ids(ordered));
      });

      it('filters by the status at the given time: a held ticket is RESERVED, an unheld one past its expiry is EXPIRED', async () => {
        const [first, held, last] = await registerSeveral(3);
        expect(await hold(held!.id)).toBe(true);
        const later = new Date(first!.expiresAt.getTime() + HOUR);

        expect(ids(await list('AVAILABLE', forward(10)))).toEqual(ids(inListingOrder([first!, last!])));
        expect(ids(await list('RESERVED', forward(10)))).toEqual([held!.id]);
        expect(await list('EXPIRED', forward(10))).toEqual([]);

        expect(await list('AVAILABLE', forward(10), later)).toEqual([]);
        expect(ids(await list('EXPIRED', forward(10), later))).toEqual(ids(inListingOrder([first!, last!])));
        expect(ids(await list('RESERVED', forward(10), later))).toEqual([held!.id]);
      });

      it('treats a ticket whose expiry is exactly now as EXPIRED', async () => {
        const ticket = await register();
        expect(ids(await list('EXPIRED', forward(10), ticket.expiresAt))).toEqual([ticket.id]);
        expect(await list('AVAILABLE', forward(10), ticket.expiresAt)).toEqual([]);
      });

      it('pages within a status filter', async () => {
        const registered = await registerSeveral(5);
        await hold(registered[2]!.id);
        const available = inListingOrder(registered.filter((_, i) => i !== 2));
        const firstPage = await list('AVAILABLE', forward(2));
        expect(ids(firstPage)).toEqual(ids(available.slice(0, 3)));
        const secondPage = await list('AVAILABLE', forward(2, keyOf(firstPage[1]!)));
        expect(ids(secondPage)).toEqual(ids(available.slice(2)));
        const backwardFromEnd = await list('AVAILABLE', backward(2));
        expect(ids(backwardFromEnd)).toEqual(ids(available.slice(1).reverse()));
        const previousPage = await list('AVAILABLE', backward(2, keyOf(backwardFromEnd[1]!)));
        expect(ids(previousPage)).toEqual(ids(available.slice(0, 2).reverse()));
      });
    });

    describe('the conditional hold', () => {
      it('holds an AVAILABLE ticket for one reservation, with its TicketHeld event', async () => {
        const ticket = await register();
        const reservationId = randomUUID();
        const held = heldEvent(ticket.id, reservationId);

        expect(await tickets.holdIfAvailable(ticket.id, reservationId, now, held)).toEqual({ held: true });

        expect(await tickets.findById(ticket.id)).toMatchObject({ state: 'RESERVED', heldBy: reservationId });
        expect((await outboxEventIds()).at(-1)).toBe(held.id);
      });

      it('refuses a ticket that is already held, for another reservation or the same one, and writes no event', async () => {
        const ticket = await register();
        const holder = randomUUID();
        await hold(ticket.id, holder);
        const eventsBefore = await outboxEventIds();

        const uncontended = { held: false, holdClosed: false, contended: false };
        expect(await attemptHold(ticket.id)).toMatchObject({
          ...uncontended,
          ticket: { state: 'RESERVED', heldBy: holder },
        });
        expect(await attemptHold(ticket.id, holder)).toMatchObject({
          ...uncontended,
          ticket: { state: 'RESERVED', heldBy: holder },
        });

        expect(await tickets.findById(ticket.id)).toMatchObject({ state: 'RESERVED', heldBy: holder });
        expect(await outboxEventIds()).toEqual(eventsBefore);
      });

      it('refuses a ticket whose expiry is at or before the given time', async () => {
        const ticket = await register();
        expect(await attemptHold(ticket.id, randomUUID(), ticket.expiresAt)).toMatchObject({
          held: false,
          ticket: { state: 'AVAILABLE', heldBy: null, expiresAt: ticket.expiresAt },
          holdClosed: false,
          contended: false,
        });
        expect(await tickets.findById(ticket.id)).toMatchObject({ state: 'AVAILABLE', heldBy: null });
      });

      it('refuses an unknown ticket, saying there is none', async () => {
        expect(await attemptHold(randomUUID())).toEqual({
          held: false,
          ticket: null,
          holdClosed: false,
          contended: false,
        });
      });

      it('when many holds race for one ticket, exactly one wins', async () => {
        const ticket = await register();
        const outcomes = await Promise.all(Array.from({ length: 8 }, () => hold(ticket.id)));
        expect(outcomes.filter(Boolean)).toHaveLength(1);
        expect(await tickets.findById(ticket.id)).toMatchObject({ state: 'RESERVED' });
      });
    });

    describe('the holder-only release', () => {
      it('releases only for the reservation that holds the ticket, with its TicketReleased event', async () => {
        const ticket = await register();
        const holder = randomUUID();
        await hold(ticket.id, holder);
        const eventsBefore = await outboxEventIds();

        const stranger = randomUUID();
        expect(await tickets.releaseIfHeldBy(ticket.id, stranger, releasedEvent(ticket.id, stranger))).toBe(false);
        expect(await outboxEventIds()).toEqual(eventsBefore);

        const released = releasedEvent(ticket.id, holder);
        expect(await tickets.releaseIfHeldBy(ticket.id, holder, released)).toBe(true);
        expect(await tickets.findById(ticket.id)).toMatchObject({ state: 'AVAILABLE', heldBy: null });
        expect(await outboxEventIds()).toEqual([...eventsBefore, released.id]);
      });

      it('releases nothing on an unknown ticket', async () => {
        const reservationId = randomUUID();
        const ticketId = randomUUID();
        expect(await tickets.releaseIfHeldBy(ticketId, reservationId, releasedEvent(ticketId, reservationId))).toBe(
          false,
        );
      });

      it('closing a reservation’s hold releases it and refuses that reservation’s later holds', async () => {
        const ticket = await register();
        const holder = randomUUID();
        await hold(ticket.id, holder);

        const released = releasedEvent(ticket.id, holder);
        expect(await tickets.releaseIfHeldBy(ticket.id, holder, released, { close: true })).toBe(true);

        expect(await attemptHold(ticket.id, holder)).toMatchObject({ held: false, holdClosed: true });
        expect(await tickets.findById(ticket.id)).toMatchObject({ state: 'AVAILABLE', heldBy: null });
        expect(await hold(ticket.id)).toBe(true);
      });

      it('closing the hold of a reservation that holds nothing yet refuses its hold when it arrives late', async () => {
        const ticket = await register();
        const late = randomUUID();

        expect(await tickets.releaseIfHeldBy(ticket.id, late, releasedEvent(ticket.id, late), { close: true })).toBe(
          false,
        );

        expect(await attemptHold(ticket.id, late)).toMatchObject({ held: false, holdClosed: true });
        expect(await tickets.findById(ticket.id)).toMatchObject({ state: 'AVAILABLE', heldBy: null });
      });

      it('a hold racing the closure of its reservation’s hold never leaves the ticket held by it', async () => {
        for (let round = 0; round < 10; round++) {
          const ticket = await register();
          const late = randomUUID();
          await Promise.all([
            hold(ticket.id, late),
            tickets.releaseIfHeldBy(ticket.id, late, releasedEvent(ticket.id, late), { close: true }),
          ]);
          expect(await tickets.findById(ticket.id)).toMatchObject({ state: 'AVAILABLE', heldBy: null });
          expect(await hold(ticket.id, late)).toBe(false);
        }
      });

      it('a hold racing the batch closure of its reservation’s hold never leaves the ticket held by it', async () => {
        for (let round = 0; round < 10; round++) {
          const ticket = await register();
          const late = randomUUID();
          const end = {
            cause: cancelledEvent(ticket.id, late),
            ticketId: ticket.id,
            reservationId: late,
            released: releasedEvent(ticket.id, late),
          };
          await Promise.all([hold(ticket.id, late), tickets.closeHoldsOfEndedReservations([end])]);
          expect(await tickets.findById(ticket.id)).toMatchObject({ state: 'AVAILABLE', heldBy: null });
          expect(await hold(ticket.id, late)).toBe(false);
        }
      });

      it('closes a batch of ended reservations once each, however often their events come', async () => {
        const [first, second] = [await register(), await register()];
        const [holder, late] = [randomUUID(), randomUUID()];
        await hold(first.id, holder);
        const ends = [
          {
            cause: cancelledEvent(first.id, holder),
            ticketId: first.id,
            reservationId: holder,
            released: releasedEvent(first.id, holder),
          },
          {
            cause: cancelledEvent(second.id, late),
            ticketId: second.id,
            reservationId: late,
            released: releasedEvent(second.id, late),
          },
        ];

        await tickets.closeHoldsOfEndedReservations(ends);
        const eventsAfter = await outboxEventIds();
        await tickets.closeHoldsOfEndedReservations(ends);

        expect(eventsAfter).toContain(ends[0]!.released.id);
        expect(eventsAfter).not.toContain(ends[1]!.released.id);
        expect(await outboxEventIds()).toEqual(eventsAfter);
        expect(await tickets.findById(first.id)).toMatchObject({ state: 'AVAILABLE', heldBy: null });
        expect(await hold(first.id, holder)).toBe(false);
        expect(await hold(second.id, late)).toBe(false);
      });

      it('a hold nobody closed is not closed', async () => {
        const ticket = await register();
        const holder = randomUUID();
        await hold(ticket.id, holder);
        await tickets.releaseIfHeldBy(ticket.id, holder, releasedEvent(ticket.id, holder));
        expect(await hold(ticket.id, holder)).toBe(true);
      });

      it('applies a release caused by an event once, however often the event comes', async () => {
        const ticket = await register();
        const holder = randomUUID();
        await hold(ticket.id, holder);
        const cause = cancelledEvent(ticket.id, holder);

        expect(await tickets.releaseIfHeldBy(ticket.id, holder, releasedEvent(ticket.id, holder), { cause })).toBe(
          true,
        );
        await hold(ticket.id, holder);
        const eventsBefore = await outboxEventIds();

        expect(await tickets.releaseIfHeldBy(ticket.id, holder, releasedEvent(ticket.id, holder), { cause })).toBe(
          false,
        );
        expect(await tickets.findById(ticket.id)).toMatchObject({ state: 'RESERVED', heldBy: holder });
        expect(await outboxEventIds()).toEqual(eventsBefore);
      });
    });
  });
}
