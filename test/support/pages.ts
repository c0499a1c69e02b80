/**
 * Walks a repository's keyset reads page by page, as a client follows a connection's cursors, for
 * the repositories' contract suites: forward from the start, or backward from the end.
 */
import { backward, forward, type Key, type PageRequest } from '../../platform/pagination.ts';

/**
 * Every row `read` gives, `size` at a time, in the connection's order. Each read returns at most
 * `size + 1` rows nearest the cursor in the page's direction; the extra one only says there is more.
 */
export async function walkPages<T>(
  read: (page: PageRequest) => Promise<T[]>,
  keyOf: (row: T) => Key,
  size: number,
  direction: 'forward' | 'backward' = 'forward',
): Promise<T[]> {
  const seen: T[] = [];
  let cursor: Key | undefined;
  // A cursor that does not move on would page forever: a few pages more than there are rows is a failure.
  for (let pages = 0; pages < 50; pages++) {
    const rows = await read(direction === 'forward' ? forward(size, cursor) : backward(size, cursor));
    if (rows.length > size + 1) throw new Error(`a read returned ${rows.length} rows for a page of ${size}`);
    const shown = rows.slice(0, size);
    if (direction === 'forward') seen.push(...shown);
    else seen.unshift(...shown.reverse());
    if (rows.length <= size) return seen;
    cursor = keyOf(rows[size - 1]!);
  }
  throw new Error(`paging did not end; read ${seen.length} rows`);
}
