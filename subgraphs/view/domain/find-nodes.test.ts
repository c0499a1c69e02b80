/** What node(id) says an id is, and who may learn it. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { anonymous, type Caller } from '../../../ticketing/caller.ts';
import type { KnownEntity } from './board.ts';
import { findNode, findNodes } from './find-nodes.ts';
import type { ViewDeps } from './ports.ts';

const user = (userId: string, roles: ('USER' | 'ADMIN')[] = ['USER']): Caller => ({
  kind: 'user',
  userId,
  roles,
  grade: 'NORMAL',
});

const ticketId = randomUUID();
const reservationId = randomUUID();

function storeKnowing(...entities: KnownEntity[]): ViewDeps {
  const byId = new Map(entities.map((entity) => [entity.id, entity]));
  return {
    clock: () => new Date('2030-01-01T00:00:00Z'),
    boards: {
      ticketBoard: async () => [],
      ticketEntry: async () => null,
      reservationBoard: async () => [],
      entityById: async (id) => byId.get(id) ?? null,
    },
  };
}

const deps = storeKnowing({ kind: 'Ticket', id: ticketId }, { kind: 'Reservation', id: reservationId, userId: 'ann' });

async function refusalOf(promise: Promise<unknown>): Promise<{ code?: string; field?: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; field?: string };
    return { code: e.code, field: e.field };
  }
  throw new Error('expected a refusal');
}

describe('finding a node', () => {
  it('says a ticket id is a Ticket, to anyone', async () => {
    await expect(findNode(deps, anonymous, ticketId)).resolves.toEqual({ kind: 'Ticket', id: ticketId });
  });

  it('says a reservation id is a Reservation to its owner and to an ADMIN', async () => {
    const expected = { kind: 'Reservation', id: reservationId };
    await expect(findNode(deps, user('ann'), reservationId)).resolves.toEqual(expected);
    await expect(findNode(deps, user('root', ['ADMIN']), reservationId)).resolves.toEqual(expected);
  });

  it("refuses another user's reservation with FORBIDDEN, and anonymous callers with UNAUTHENTICATED", async () => {
    expect(await refusalOf(findNode(deps, user('bob'), reservationId))).toEqual({ code: 'FORBIDDEN' });
    expect(await refusalOf(findNode(deps, anonymous, reservationId))).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('answers null for an id it does not know, and BAD_USER_INPUT naming the argument for a malformed one', async () => {
    await expect(findNode(deps, anonymous, randomUUID())).resolves.toBeNull();
    expect(await refusalOf(findNode(deps, anonymous, 'nope'))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(await refusalOf(findNodes(deps, anonymous, ['nope'])[0]!)).toEqual({ code: 'BAD_USER_INPUT', field: 'ids' });
  });

  it('finds several in the order given, a refusal costing only its own place; at most 100 ids', async () => {
    const [ticket, reservation, unknown] = findNodes(deps, user('bob'), [ticketId, reservationId, randomUUID()]);
    await expect(ticket).resolves.toEqual({ kind: 'Ticket', id: ticketId });
    expect(await refusalOf(reservation!)).toEqual({ code: 'FORBIDDEN' });
    await expect(unknown).resolves.toBeNull();
    expect(() =>
      findNodes(
        deps,
        anonymous,
        Array.from({ length: 101 }, () => ticketId),
      ),
    ).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'ids' }));
  });
});
