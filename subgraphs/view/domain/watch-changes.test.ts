import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { Caller } from '../../../ticketing/caller.ts';
import { newEvent } from '../../../ticketing/events/envelope.ts';
import { createBoundedQueue } from '../../../platform/streams/bounded-queue.ts';
import type { ChangeSource, StreamChange } from './ports.ts';
import { startPosition, watchMyReservations, watchTickets } from './watch-changes.ts';

const cause = { correlationId: 'test', causationId: null };

function source(changes: StreamChange['event'][]): ChangeSource & { asked: (number | undefined)[] } {
  const asked: (number | undefined)[] = [];
  return {
    asked,
    changes(after) {
      asked.push(after);
      const queue = createBoundedQueue<StreamChange>(100);
      changes.forEach((event, i) => queue.push({ position: i + 1, event }));
      queue.end();
      return queue.reader();
    },
  };
}

async function all<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const read: T[] = [];
  for await (const item of iterator) read.push(item);
  return read;
}

const alice: Caller = { kind: 'user', userId: 'alice', roles: ['USER'], grade: 'NORMAL' };

describe('what a subscription sees of the stream', () => {
  it("ticketChanged: only the watched tickets' status and price changes, with their positions", async () => {
    const [watched, other] = [randomUUID(), randomUUID()];
    const reservationId = randomUUID();
    const changes = source([
      newEvent('TicketHeld', { ticketId: other, reservationId }, {}, cause),
      newEvent('TicketHeld', { ticketId: watched, reservationId }, {}, cause),
      newEvent('TicketReserved', { ticketId: watched, reservationId, userId: 'alice' }, { userGrade: 'VIP' }, cause),
      newEvent('TicketReleased', { ticketId: watched, reservationId }, {}, cause),
    ]);
    const seen = await all(watchTickets(changes, { ticketIds: [watched] }));
    expect(seen.map((d) => [d.position, d.value])).toEqual([
      [2, { __typename: 'Ticket', id: watched }],
      [4, { __typename: 'Ticket', id: watched }],
    ]);
  });

  it("myReservationChanged: the caller's reservations only, and a token is needed", async () => {
    const ticketId = randomUUID();
    const [hers, his] = [randomUUID(), randomUUID()];
    const changes = source([
      newEvent('TicketReserved', { ticketId, reservationId: his, userId: 'bob' }, { userGrade: 'NORMAL' }, cause),
      newEvent('TicketReserved', { ticketId, reservationId: hers, userId: 'alice' }, { userGrade: 'NORMAL' }, cause),
      newEvent('ReservationCancelled', { ticketId, reservationId: his, userId: 'bob' }, { userGrade: 'NORMAL' }, cause),
    ]);
    const seen = await all(watchMyReservations(changes, alice, {}));
    expect(seen.map((d) => d.value.id)).toEqual([hers]);
    expect(() => watchMyReservations(changes, { kind: 'anonymous' }, {})).toThrow('authentication required');
  });

  it('starts after the later of the client’s position and the one the gateway resumes from', () => {
    expect(startPosition({}, undefined)).toBeUndefined();
    expect(startPosition({ after: '41' }, undefined)).toBe(41);
    expect(startPosition({ after: '41' }, 57)).toBe(57);
    expect(startPosition({ after: null }, 57)).toBe(57);
    expect(() => startPosition({ after: 'yesterday' }, undefined)).toThrow('after');
  });
});
