import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InvalidInput } from '../ticketing/errors.ts';
import {
  encodeCursor,
  MAX_PAGE_SIZE,
  pageRequest,
  readKeysetPage,
  toPage,
  type PageArgs,
  type PageRequest,
} from './pagination.ts';

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
  return { size: 3, direction: 'forward', ...overrides };
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

    const request = pageRequest({ first: 10, after: encodeCursor(row.createdAt, row.id) });

    expect(request).toEqual({ size: 10, direction: 'forward', cursor: keyOf(row) });
  });

  it('when a cursor is passed back as before with last, the page reads backward from it', () => {
    const [row] = rows(1);
    if (!row) throw new Error('no row');

    const request = pageRequest({ last: 5, before: encodeCursor(row.createdAt, row.id) });

    expect(request).toEqual({ size: 5, direction: 'backward', cursor: keyOf(row) });
  });

  it('when no size is given, the page is the first 20, or the last 20 with only before', () => {
    expect(pageRequest({})).toEqual({ size: 20, direction: 'forward', cursor: undefined });
    expect(pageRequest({ first: null, after: null, last: null, before: null })).toEqual({
      size: 20,
      direction: 'forward',
      cursor: undefined,
    });
    expect(pageRequest({ before: encodeCursor(START, randomUUID()) })).toMatchObject({
      size: 20,
      direction: 'backward',
    });
  });

  it('when last is given without a cursor, the page is the last ones', () => {
    expect(pageRequest({ last: 4 })).toEqual({ size: 4, direction: 'backward', cursor: undefined });
  });

  it.each(['first', 'last'] as const)('when %s is 1 or the maximum, it is accepted', (argument) => {
    expect(pageRequest({ [argument]: 1 }).size).toBe(1);
    expect(pageRequest({ [argument]: MAX_PAGE_SIZE }).size).toBe(MAX_PAGE_SIZE);
  });

  const sizes = [0, -1, MAX_PAGE_SIZE + 1, 2.5, Number.NaN];
  it.each(sizes.flatMap((size) => [['first', size] as const, ['last', size] as const]))(
    'when %s is %p, it is refused naming it',
    (argument, size) => {
      const error = refusalOf(() => pageRequest({ [argument]: size }));

      expect(error).toBeInstanceOf(InvalidInput);
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: argument });
    },
  );

  const cursor = encodeCursor(START, randomUUID());
  const mixed: [string, PageArgs, string][] = [
    ['first with last', { first: 2, last: 2 }, 'last'],
    ['after with before', { after: cursor, before: cursor }, 'before'],
    ['last with after', { last: 2, after: cursor }, 'after'],
    ['first with before', { first: 2, before: cursor }, 'before'],
  ];

  it.each(mixed)('when %s is given, it is refused naming the argument that does not fit', (_case, args, field) => {
    const error = refusalOf(() => pageRequest(args));

    expect(error).toBeInstanceOf(InvalidInput);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  const garbage: [string, string][] = [
    ['random text', 'not-a-cursor'],
    ['base64url without a separator', Buffer.from('2030-06-01T12:00:00.000Z').toString('base64url')],
    ['base64url with an invalid date', Buffer.from(`yesterday|${randomUUID()}`).toString('base64url')],
    ['base64url with an empty id', Buffer.from('2030-06-01T12:00:00.000Z|').toString('base64url')],
  ];

  it.each(garbage)('when the after cursor is %s, it is refused naming after', (_case, bad) => {
    expect(refusalOf(() => pageRequest({ first: 10, after: bad }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
  });

  it.each(garbage)('when the before cursor is %s, it is refused naming before', (_case, bad) => {
    expect(refusalOf(() => pageRequest({ last: 10, before: bad }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'before',
    });
  });
});

describe('toPage', () => {
  it('when one row more than the size was read forward, there is a next page and the extra row is not returned', () => {
    const fetched = rows(4);

    const page = toPage(fetched, aPageRequest({ size: 3 }), keyOf);

    expect(page.edges.map((edge) => edge.node)).toEqual(fetched.slice(0, 3));
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('when at most size rows were read forward, there is no next page', () => {
    expect(toPage(rows(3), aPageRequest({ size: 3 }), keyOf).pageInfo.hasNextPage).toBe(false);
    expect(toPage(rows(2), aPageRequest({ size: 3 }), keyOf).pageInfo.hasNextPage).toBe(false);
  });

  it('when rows were read backward (nearest the cursor first), the edges come out in connection order', () => {
    const ordered = rows(4);
    const readBackward = [...ordered].reverse();

    const page = toPage(readBackward, aPageRequest({ size: 3, direction: 'backward' }), keyOf);

    expect(page.edges.map((edge) => edge.node)).toEqual(ordered.slice(1));
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('when at most size rows were read backward, there is no previous page', () => {
    const page = toPage(rows(3).reverse(), aPageRequest({ size: 3, direction: 'backward' }), keyOf);

    expect(page.pageInfo.hasPreviousPage).toBe(false);
  });

  it('when rows are returned, each edge has the cursor of its own row; startCursor and endCursor are the ends', () => {
    const fetched = rows(4);

    const page = toPage(fetched, aPageRequest({ size: 3 }), keyOf);

    expect(page.edges.map((edge) => edge.cursor)).toEqual(
      fetched.slice(0, 3).map((row) => encodeCursor(row.createdAt, row.id)),
    );
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
  });

  it('when the endCursor is passed back as after, the next request starts after the last returned row', () => {
    const fetched = rows(4);
    const page = toPage(fetched, aPageRequest({ size: 3 }), keyOf);
    const lastReturned = fetched[2];

    const next = pageRequest({ first: 3, after: page.pageInfo.endCursor });

    expect(next.cursor).toEqual(lastReturned && keyOf(lastReturned));
  });

  it('when no rows were read, the page is empty with no cursors and no more pages', () => {
    const page = toPage(rows(0), aPageRequest(), keyOf);

    expect(page).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });
});

describe('readKeysetPage', () => {
  const all = rows(7);
  const shuffled = [...all].reverse();

  /** Every row, page by page, in connection order, walking in `direction`. */
  function walk(order: 'asc' | 'desc', direction: 'forward' | 'backward', size: number): Row[] {
    const seen: Row[] = [];
    let cursor: PageRequest['cursor'];
    for (let guard = 0; guard < 20; guard += 1) {
      const request: PageRequest = { size, direction, cursor };
      const page = toPage(readKeysetPage(shuffled, keyOf, order, request), request, keyOf);
      const nodes = page.edges.map((edge) => edge.node);
      if (direction === 'forward') seen.push(...nodes);
      else seen.unshift(...nodes);
      const more = direction === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
      if (!more) return seen;
      const edge = direction === 'forward' ? nodes.at(-1) : nodes[0];
      cursor = edge && keyOf(edge);
    }
    throw new Error('the walk did not end');
  }

  it.each([
    ['asc', 'forward'],
    ['asc', 'backward'],
    ['desc', 'forward'],
    ['desc', 'backward'],
  ] as const)(
    'when a connection sorted %s is walked %s page by page, every row is seen once in order',
    (order, direction) => {
      const expected = order === 'asc' ? all : [...all].reverse();

      expect(walk(order, direction, 3)).toEqual(expected);
      expect(walk(order, direction, 1)).toEqual(expected);
      expect(walk(order, direction, 7)).toEqual(expected);
    },
  );
});
