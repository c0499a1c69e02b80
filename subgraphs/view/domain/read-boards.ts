/** The two boards, answered from the view's own store. */
import { assertUser, isAdmin, type Caller } from '../../../ticketing/caller.ts';
import { Forbidden } from '../../../ticketing/errors.ts';
import { pageRequest, toPage, type Page, type PageArgs } from '../../../platform/pagination.ts';
import { assertNonEmpty } from '../../../platform/validation.ts';
import {
  toReservationBoardEntry,
  toTicketBoardEntry,
  type ReservationBoardEntry,
  type TicketBoardEntry,
  type TicketStatus,
} from './board.ts';
import type { ViewDeps } from './ports.ts';

export type BoardArgs = PageArgs;

/** Anyone may read the ticket board, anonymous callers included. */
export async function readTicketBoard(
  deps: ViewDeps,
  args: BoardArgs & { status?: TicketStatus | null },
): Promise<Page<TicketBoardEntry>> {
  const page = pageRequest(args);
  const now = deps.clock();
  const rows = await deps.boards.ticketBoard({ status: args.status ?? undefined, now }, page);
  const shown = rows.flatMap((row) => {
    const entry = toTicketBoardEntry(row, now);
    return entry && row.registeredAt ? [{ entry, at: row.registeredAt }] : [];
  });
  return mapNodes(
    toPage(shown, page, (s) => ({ at: s.at, id: s.entry.ticketId })),
    (s) => s.entry,
  );
}

/** A user reads their own reservation board; an ADMIN may read anyone's by `userId`. */
export async function readReservationBoard(
  deps: ViewDeps,
  caller: Caller,
  args: BoardArgs & { userId?: string | null },
): Promise<Page<ReservationBoardEntry>> {
  assertUser(caller);
  const userId = args.userId ?? caller.userId;
  assertNonEmpty('userId', userId);
  if (userId !== caller.userId && !isAdmin(caller)) {
    throw new Forbidden("only an ADMIN may read another user's reservation board");
  }
  const page = pageRequest(args);
  const rows = await deps.boards.reservationBoard(userId, page);
  const shown = rows.flatMap((row) => {
    const entry = toReservationBoardEntry(row);
    return entry ? [entry] : [];
  });
  return toPage(shown, page, (entry) => ({ at: entry.reservedAt, id: entry.reservationId }));
}

function mapNodes<A, B>(page: Page<A>, map: (node: A) => B): Page<B> {
  return { ...page, edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: map(edge.node) })) };
}
