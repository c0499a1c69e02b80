/**
 * Relay-style keyset pagination. A cursor is an opaque base64url token of the sort key
 * (a timestamp and an id), so pages stay stable while rows are added.
 */
import { InvalidInput } from '../ticketing/errors.ts';

export interface PageRequest {
  first: number;
  after?: { at: Date; id: string };
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const MAX_PAGE_SIZE = 100;

export function pageRequest(first: number | null | undefined, after: string | null | undefined): PageRequest {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new InvalidInput('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  return { first: size, after: after ? decodeCursor(after) : undefined };
}

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime())) throw new InvalidInput('after', 'is not a cursor from this connection');
  return { at, id };
}

/** Builds a page from `first + 1` rows fetched in order: the extra row only says there is more. */
export function toPage<T>(rows: T[], request: PageRequest, keyOf: (row: T) => { at: Date; id: string }): Page<T> {
  const nodes = rows.slice(0, request.first);
  const edges = nodes.map((node) => {
    const key = keyOf(node);
    return { cursor: encodeCursor(key.at, key.id), node };
  });
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > request.first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
