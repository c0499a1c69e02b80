/** Who may read which board, and what a bad argument is refused with. */
import { describe, expect, it } from '@jest/globals';
import { anonymous, type Caller } from '../../../ticketing/caller.ts';
import type { PageRequest } from '../../../platform/pagination.ts';
import type { ViewDeps } from './ports.ts';
import { readReservationBoard, readTicketBoard } from './read-boards.ts';

const user = (userId: string, roles: ('USER' | 'ADMIN')[] = ['USER']): Caller => ({
  kind: 'user',
  userId,
  roles,
  grade: 'NORMAL',
});

/** A store with empty boards that remembers whose board was read. */
function emptyBoards() {
  const readFor: string[] = [];
  const deps: ViewDeps = {
    clock: () => new Date('2030-01-01T00:00:00Z'),
    boards: {
      ticketBoard: async () => [],
      ticketEntry: async () => null,
      reservationBoard: async (userId: string, _page: PageRequest) => {
        readFor.push(userId);
        return [];
      },
      entityById: async () => null,
    },
  };
  return { deps, readFor };
}

async function codeOf(promise: Promise<unknown>): Promise<{ code?: string; field?: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code?: string; field?: string };
    return { code: e.code, field: e.field };
  }
  return {};
}

describe('reading the boards', () => {
  it('lets anyone read the ticket board, anonymous callers included', async () => {
    const { deps } = emptyBoards();
    await expect(readTicketBoard(deps, {})).resolves.toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it("reads the caller's own reservation board by default", async () => {
    const { deps, readFor } = emptyBoards();
    await readReservationBoard(deps, user('alice'), {});
    await readReservationBoard(deps, user('alice'), { userId: 'alice' });
    expect(readFor).toEqual(['alice', 'alice']);
  });

  it("lets only an ADMIN read another user's reservation board", async () => {
    const { deps, readFor } = emptyBoards();
    expect(await codeOf(readReservationBoard(deps, user('alice'), { userId: 'bob' }))).toEqual({ code: 'FORBIDDEN' });
    await readReservationBoard(deps, user('root', ['ADMIN']), { userId: 'bob' });
    expect(readFor).toEqual(['bob']);
  });

  it('needs a token for the reservation board', async () => {
    const { deps } = emptyBoards();
    expect(await codeOf(readReservationBoard(deps, anonymous, {}))).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it('refuses bad arguments with BAD_USER_INPUT naming the field', async () => {
    const { deps } = emptyBoards();
    expect(await codeOf(readTicketBoard(deps, { first: 0 }))).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(await codeOf(readTicketBoard(deps, { after: 'not-a-cursor' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
    expect(await codeOf(readReservationBoard(deps, user('root', ['ADMIN']), { userId: ' ' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'userId',
    });
  });
});
