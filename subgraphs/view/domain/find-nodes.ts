/**
 * Global Object Identification: the view answers `node(id)` and `nodes(ids)` for the whole API,
 * because it alone knows every ticket and reservation id (from events). It says what an id is;
 * the gateway then reads the object's fields from the subgraph that owns it.
 *
 * Authorization is the direct fields': anyone may look a ticket up; a reservation only its owner
 * or an ADMIN (as `reservation(id)` and the reservation board), and not anonymously.
 */
import { assertUser, isAdmin, type Caller } from '../../../ticketing/caller.ts';
import { Forbidden, InvalidInput } from '../../../ticketing/errors.ts';
import { assertId } from '../../../platform/validation.ts';
import { MAX_PAGE_SIZE } from '../../../platform/pagination.ts';
import type { ViewDeps } from './ports.ts';

export type NodeKind = 'Ticket' | 'Reservation';

/** What an id is, for the gateway to resolve through the subgraph that owns it. */
export interface NodeRef {
  kind: NodeKind;
  id: string;
}

/** The object with this id, or null when the view does not know it (yet: it trails the writes by moments). */
export async function findNode(deps: ViewDeps, caller: Caller, id: string, field = 'id'): Promise<NodeRef | null> {
  assertId(field, id);
  const known = await deps.boards.entityById(id);
  if (!known) return null;
  if (known.kind === 'Reservation') {
    assertUser(caller);
    if (known.userId !== caller.userId && !isAdmin(caller)) {
      throw new Forbidden('only the owner or an ADMIN may read this reservation');
    }
  }
  return { kind: known.kind, id: known.id };
}

/**
 * One lookup per id, in the order given: an id that is refused (malformed, another user's
 * reservation) fails only its own place in the list.
 */
export function findNodes(deps: ViewDeps, caller: Caller, ids: readonly string[]): Promise<NodeRef | null>[] {
  if (ids.length > MAX_PAGE_SIZE) throw new InvalidInput('ids', `must be at most ${MAX_PAGE_SIZE} ids`);
  return ids.map((id) => findNode(deps, caller, id, 'ids'));
}
