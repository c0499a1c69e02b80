/**
 * The boards' SQL against a real store file written by the projector: the times it compares are
 * in the form Prisma stores them, pages are stable across ties, and the status filters match the
 * domain's reading of a ticket.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { forward, type PageRequest } from '../../../platform/pagination.ts';
import { walkPages } from '../../../test/support/pages.ts';
import { boardEvents } from '../test/board-events.ts';
import { storedTimestamp } from './entry-rows.ts';
import { createStore, type ViewStore } from './view-store.ts';

const DAY = 86_400_000;
const NOW = new Date();
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);
/** Sorted, so the order of ids on a tie is known. */
const ids = (count: number) => Array.from({ length: count }, () => randomUUID()).sort();

let dir: string;
let store: ViewStore;
let sequence = 0;

async function apply(...events: EventEnvelope[]): Promise<void> {
  await store.apply(events.map((event) => ({ sequence: ++sequence, event })));
}

// Four tickets registered at the same instant (ties broken by id), one a minute later; one is
// reserved and one has expired.
const tied = ids(4);
const later = randomUUID();
const [reservedTicket, expiredTicket] = [tied[1]!, tied[2]!];
const reservation = randomUUID();
// Three reservations of one user at the same instant and one older, another user's alongside.
const userTickets = ids(4);
const userReservations = ids(4);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ticketing-board-queries-'));
  store = await createStore(path.join(dir, 'store.db'), { name: 'BOARD_QUERIES', created: NOW.toISOString() });
  for (const ticketId of tied) {
    const expiresAt = ticketId === expiredTicket ? at(1) : new Date(NOW.getTime() + DAY);
    await apply(boardEvents.registered(ticketId, at(60), { expiresAt }), boardEvents.priced(ticketId, at(59)));
  }
  await apply(boardEvents.registered(later, at(59)));
  await apply(
    boardEvents.held(reservedTicket, reservation, at(50)),
    boardEvents.reserved(reservedTicket, reservation, 'someone', 'NORMAL', at(50)),
  );
  for (const [i, ticketId] of userTickets.entries()) {
    const reservedAt = i === 0 ? at(40) : at(30);
    await apply(
      boardEvents.registered(ticketId, at(45)),
      boardEvents.held(ticketId, userReservations[i]!, reservedAt),
      boardEvents.reserved(ticketId, userReservations[i]!, 'erin', 'VIP', reservedAt),
    );
  }
});

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the board queries', () => {
  it('compare times in the form Prisma stores them', async () => {
    const db = new Database(store.file);
    try {
      const row = db.prepare('SELECT registered_at FROM ticket_entry WHERE ticket_id = ?').get(later);
      expect(row).toMatchObject({ registered_at: storedTimestamp(at(59)) });
      expect(storedTimestamp(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678+00:00');
    } finally {
      db.close();
    }
  });

  it('page the ticket board in registration order, then by id, across ties', async () => {
    const read = (page: PageRequest) => store.boards.ticketBoard({ now: NOW }, page);
    const everything = await read(forward(100));
    const keyOf = (t: { registeredAt: Date | null; ticketId: string }) => ({ at: t.registeredAt!, id: t.ticketId });
    const paged = await walkPages(read, keyOf, 2);
    expect(paged.map((t) => t.ticketId)).toEqual(everything.map((t) => t.ticketId));
    const pagedBack = await walkPages(read, keyOf, 2, 'backward');
    expect(pagedBack.map((t) => t.ticketId)).toEqual(everything.map((t) => t.ticketId));
    expect(everything.map((t) => t.ticketId).slice(0, 5)).toEqual([...tied, later]);
  });

  it('filter the ticket board by status as it is at the moment of reading', async () => {
    const withStatus = async (status: 'AVAILABLE' | 'RESERVED' | 'EXPIRED') =>
      (await store.boards.ticketBoard({ status, now: NOW }, forward(100))).map((t) => t.ticketId);
    expect(await withStatus('RESERVED')).toEqual([reservedTicket, ...userTickets]);
    expect(await withStatus('EXPIRED')).toEqual([expiredTicket]);
    expect(await withStatus('AVAILABLE')).toEqual([tied[0], tied[3], later]);
    // A day on, every ticket not reserved has expired.
    const tomorrow = await store.boards.ticketBoard(
      { status: 'EXPIRED', now: new Date(NOW.getTime() + 2 * DAY) },
      forward(100),
    );
    expect(tomorrow.map((t) => t.ticketId)).toEqual([tied[0], expiredTicket, tied[3], later]);
  });

  it("page a user's reservation board newest first, then by id descending, across ties", async () => {
    const read = (page: PageRequest) => store.boards.reservationBoard('erin', page);
    const keyOf = (r: { reservedAt: Date | null; reservationId: string }) => ({
      at: r.reservedAt!,
      id: r.reservationId,
    });
    const paged = await walkPages(read, keyOf, 1);
    const newestFirst = [...userReservations.slice(1).reverse(), userReservations[0]];
    expect(paged.map((r) => r.reservationId)).toEqual(newestFirst);
    const pagedBack = await walkPages(read, keyOf, 3, 'backward');
    expect(pagedBack.map((r) => r.reservationId)).toEqual(newestFirst);
    expect(paged.every((r) => r.userId === 'erin' && r.userGrade === 'VIP' && r.status === 'CONFIRMED')).toBe(true);
  });

  it('tell what an id is: a registered ticket, a reserved reservation with its user, or nothing', async () => {
    expect(await store.boards.entityById(later)).toEqual({ kind: 'Ticket', id: later });
    expect(await store.boards.entityById(userReservations[0]!)).toEqual({
      kind: 'Reservation',
      id: userReservations[0],
      userId: 'erin',
    });
    expect(await store.boards.entityById(randomUUID())).toBeNull();
  });

  it('map every column of an entry back as the projector wrote it', async () => {
    const [ticket] = await store.boards.ticketBoard({ now: NOW }, forward(1));
    expect(ticket).toMatchObject({
      ticketId: tied[0],
      registeredAt: at(60),
      expiresAt: new Date(NOW.getTime() + DAY),
      state: 'AVAILABLE',
      price: { currency: 'KRW', basePrice: 100_000, finalPrice: 90_000, pricedAt: at(59) },
    });
    expect(ticket!.updatedAt).toBeInstanceOf(Date);
  });
});
