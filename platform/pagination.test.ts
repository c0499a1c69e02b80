import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InvalidInput } from '../ticketing/errors.ts';
import { encodeCursor, MAX_PAGE_SIZE, pageRequest, toPage, type PageRequest } from './pagination.ts';

interface Row {
  id: string;
  createdAt: Date;
}

const START = new Date('2030-06-01T12:00:00.000Z');

/** `count` rows in fetch order, one second apart. */
function rows(count: number): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    createdAt: new Date(START.getTime() + i * 1000),
  }));
}

const keyOf = (row: Row) => ({ at: row.createdAt, id: row.id });

function aPageRequest(overrides: Partial<PageRequest> = {}): PageRequest {
  return { first: 3, ...overrides };
}

function refusalOf(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be refused');
}

describe('pageRequest', () => {
  it('when a cursor is encoded and passed back as after, it decodes to the same timestamp and id', () => {
    const [row] = rows(1);
    if (!row) throw new Error('no row');

    const request = pageRequest(10, encodeCursor(row.createdAt, row.id));

    expect(request).toEqual({ first: 10, after: { at: row.createdAt, id: row.id } });
  });

  it('when first is not given, the page size is 20 and there is no cursor', () => {
    expect(pageRequest(undefined, undefined)).toEqual({ first: 20, after: undefined });
    expect(pageRequest(null, null)).toEqual({ first: 20, after: undefined });
  });

  it('when first is 1 or the maximum, it is accepted', () => {
    expect(pageRequest(1, null).first).toBe(1);
    expect(pageRequest(MAX_PAGE_SIZE, null).first).toBe(MAX_PAGE_SIZE);
  });

  it.each([0, -1, MAX_PAGE_SIZE + 1, 2.5, Number.NaN])('when first is %p, it is refused naming first', (first) => {
    const error = refusalOf(() => pageRequest(first, null));

    expect(error).toBeInstanceOf(InvalidInput);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  const garbage: [string, string][] = [
    ['random text', 'not-a-cursor'],
    ['base64url without a separator', Buffer.from('2030-06-01T12:00:00.000Z').toString('base64url')],
    ['base64url with an invalid date', Buffer.from(`yesterday|${randomUUID()}`).toString('base64url')],
    ['base64url with an empty id', Buffer.from('2030-06-01T12:00:00.000Z|').toString('base64url')],
  ];

  it.each(garbage)('when the after cursor is %s, it is refused naming after', (_case, cursor) => {
    const error = refusalOf(() => pageRequest(10, cursor));

    expect(error).toBeInstanceOf(InvalidInput);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('toPage', () => {
  it('when one row more than first was fetched, there is a next page and the extra row is not returned', () => {
    const fetched = rows(4);

    const page = toPage(fetched, aPageRequest({ first: 3 }), keyOf);

    expect(page.edges.map((edge) => edge.node)).toEqual(fetched.slice(0, 3));
    expect(page.pageInfo.hasNextPage).toBe(true);
  });

  it('when at most first rows were fetched, there is no next page', () => {
    expect(toPage(rows(3), aPageRequest({ first: 3 }), keyOf).pageInfo.hasNextPage).toBe(false);
    expect(toPage(rows(2), aPageRequest({ first: 3 }), keyOf).pageInfo.hasNextPage).toBe(false);
  });

  it('when rows are returned, each edge has the cursor of its own row and endCursor is the last returned one', () => {
    const fetched = rows(4);

    const page = toPage(fetched, aPageRequest({ first: 3 }), keyOf);

    expect(page.edges.map((edge) => edge.cursor)).toEqual(
      fetched.slice(0, 3).map((row) => encodeCursor(row.createdAt, row.id)),
    );
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
  });

  it('when the endCursor is passed back as after, the next request starts after the last returned row', () => {
    const fetched = rows(4);
    const page = toPage(fetched, aPageRequest({ first: 3 }), keyOf);
    const lastReturned = fetched[2];

    const next = pageRequest(3, page.pageInfo.endCursor);

    expect(next.after).toEqual(lastReturned && keyOf(lastReturned));
  });

  it('when no rows were fetched, the page is empty with no endCursor and no next page', () => {
    const page = toPage(rows(0), aPageRequest(), keyOf);

    expect(page).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });
});
