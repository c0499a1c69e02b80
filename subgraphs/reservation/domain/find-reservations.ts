import { assertUser, isAdmin, type Caller } from '../../../ticketing/caller.ts';
import { Forbidden } from '../../../ticketing/errors.ts';
import { pageRequest, toPage, type Page, type PageArgs } from '../../../platform/pagination.ts';
import { assertId } from '../../../platform/validation.ts';
import type { ReservationDeps } from './ports.ts';
import type { Reservation, ReservationStatus } from './reservation.ts';

/** A reservation is visible to its owner and to ADMINs. */
export function assertMayRead(caller: Caller, reservation: Reservation): void {
  assertUser(caller);
  if (reservation.userId !== caller.userId && !isAdmin(caller)) {
    throw new Forbidden('only the owner or an ADMIN may read this reservation');
  }
}

export async function findReservation(deps: ReservationDeps, caller: Caller, id: string): Promise<Reservation | null> {
  assertUser(caller);
  assertId('id', id);
  const reservation = await deps.reservations.findById(id);
  if (reservation) assertMayRead(caller, reservation);
  return reservation;
}

export async function listMyReservations(
  deps: ReservationDeps,
  caller: Caller,
  args: PageArgs & { status?: ReservationStatus | null },
): Promise<Page<Reservation>> {
  assertUser(caller);
  const page = pageRequest(args);
  const rows = await deps.reservations.listByUser(caller.userId, args.status ?? undefined, page);
  return toPage(rows, page, (r) => ({ at: r.reservedAt, id: r.id }));
}
