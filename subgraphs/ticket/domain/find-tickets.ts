import { pageRequest, toPage, type Page, type PageArgs } from '../../../platform/pagination.ts';
import { assertId } from '../../../platform/validation.ts';
import type { TicketDeps } from './ports.ts';
import type { Ticket, TicketStatus } from './ticket.ts';

/** Anyone may look tickets up, anonymous callers included. */
export async function findTicket(deps: TicketDeps, id: string): Promise<Ticket | null> {
  assertId('id', id);
  return deps.tickets.findById(id);
}

export async function listTickets(
  deps: TicketDeps,
  args: PageArgs & { status?: TicketStatus | null },
): Promise<Page<Ticket>> {
  const page = pageRequest(args);
  const rows = await deps.tickets.list({ status: args.status ?? undefined, now: deps.clock() }, page);
  return toPage(rows, page, (t) => ({ at: t.createdAt, id: t.id }));
}
