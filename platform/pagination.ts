/**
 * Relay-style keyset pagination (the GraphQL Cursor Connections spec), in both directions. A
 * cursor is an opaque base64url token of the sort key (a timestamp and an id), so pages stay stable
 * while rows are added.
 *
 * `first`/`after` pages forward in the connection's order; `last`/`before` pages backward. A
 * repository reads at most `size + 1` rows from the cursor in the page's direction (the extra one
 * only says there is more), and `toPage` puts them back in the connection's order.
 */
import { InvalidInput } from '../ticketing/errors.ts';

/** A row's place in a connection's order: its timestamp, then its id. */
export interface Key {
  at: Date;
  id: string;
}

export interface PageRequest {
  /** How many rows the page shows. */
  size: number;
  /**
   * `forward` (first/after): the rows after `cursor` in the connection's order.
   * `backward` (last/before): the rows before `cursor`, read nearest first, that is in reverse order.
   */
  direction: 'forward' | 'backward';
  cursor?: Key;
}

/** The four connection arguments, as a client sends them. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * Reads the connection arguments. One direction per request: `first` with `after`, or `last` with
 * `before`; anything else is refused naming the argument that does not fit. Neither size given
 * means the first 20 (or, with only `before`, the last 20).
 */
export function pageRequest(args: PageArgs): PageRequest {
  const { first, after, last, before } = args;
  if (first != null && last != null) throw new InvalidInput('last', 'cannot be combined with first');
  if (after != null && before != null) throw new InvalidInput('before', 'cannot be combined with after');
  if (last != null && after != null)
    throw new InvalidInput('after', 'pages forward; page backward with last and before');
  if (first != null && before != null) {
    throw new InvalidInput('before', 'pages backward; page forward with first and after');
  }
  if (last != null || before != null) {
    return {
      size: pageSize('last', last),
      direction: 'backward',
      cursor: before ? decodeCursor('before', before) : undefined,
    };
  }
  return {
    size: pageSize('first', first),
    direction: 'forward',
    cursor: after ? decodeCursor('after', after) : undefined,
  };
}

function pageSize(argument: 'first' | 'last', value: number | null | undefined): number {
  const size = value ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new InvalidInput(argument, `must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  return size;
}

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(argument: 'after' | 'before', cursor: string): Key {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime())) throw new InvalidInput(argument, 'is not a cursor from this connection');
  return { at, id };
}

export type SortOrder = 'asc' | 'desc';

/**
 * How a repository reads a page of a connection sorted in `order` (by timestamp, then id): the
 * order to read rows in, and whether the rows it wants sort after (`gt`) or before (`lt`) the
 * cursor in that reading order.
 */
export function keysetScan(page: PageRequest, order: SortOrder): { order: SortOrder; beyond: 'gt' | 'lt' } {
  const readOrder: SortOrder = page.direction === 'forward' ? order : order === 'asc' ? 'desc' : 'asc';
  return { order: readOrder, beyond: readOrder === 'asc' ? 'gt' : 'lt' };
}

/** Compares two keys in ascending order: timestamp, then id. */
export function compareKeys(a: Key, b: Key): number {
  return a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The keyset read in memory, for fakes of a repository: the rows a database would return for
 * `page` from a connection sorted in `order`.
 */
export function readKeysetPage<T>(rows: Iterable<T>, keyOf: (row: T) => Key, order: SortOrder, page: PageRequest): T[] {
  const scan = keysetScan(page, order);
  const sign = scan.order === 'asc' ? 1 : -1;
  const { cursor } = page;
  return [...rows]
    .filter((row) => !cursor || sign * compareKeys(keyOf(row), cursor) > 0)
    .sort((a, b) => sign * compareKeys(keyOf(a), keyOf(b)))
    .slice(0, page.size + 1);
}

/**
 * Builds a page from at most `size + 1` rows read in the page's direction: the extra row only
 * says there is more in that direction. Edges come out in the connection's order either way.
 * Whether there is more in the other direction is not looked up: the spec lets it be false.
 */
export function toPage<T>(rows: T[], request: PageRequest, keyOf: (row: T) => Key): Page<T> {
  const nodes = rows.slice(0, request.size);
  if (request.direction === 'backward') nodes.reverse();
  const edges = nodes.map((node) => {
    const key = keyOf(node);
    return { cursor: encodeCursor(key.at, key.id), node };
  });
  const more = rows.length > request.size;
  return {
    edges,
    pageInfo: {
      hasNextPage: request.direction === 'forward' && more,
      hasPreviousPage: request.direction === 'backward' && more,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** A page request of the first `size` rows after `cursor` (or from the start). */
export function forward(size: number, cursor?: Key): PageRequest {
  return { size, direction: 'forward', cursor };
}

/** A page request of the last `size` rows before `cursor` (or up to the end). */
export function backward(size: number, cursor?: Key): PageRequest {
  return { size, direction: 'backward', cursor };
}
