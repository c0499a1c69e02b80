/**
 * The reservation repository port in memory, for domain tests: the same rules as the PostgreSQL
 * repository (an attempt ends confirmed or abandoned, never both; the conditional cancel; a
 * user's list newest first, filtered and paged), held to them by
 * reservation-repository.contract.ts; with switches that make its writes fail, and the events it
 * would have written to the outbox there to inspect.
 */
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { readKeysetPage, type PageRequest } from '../../../platform/pagination.ts';
import type { ReservationRepository } from '../domain/ports.ts';
import type { ReservationAttempt } from '../domain/reservation-attempt.ts';
import type { Reservation, ReservationStatus } from '../domain/reservation.ts';

const keyOf = (reservation: Reservation) => ({ at: reservation.reservedAt, id: reservation.id });

export class InMemoryReservationRepository implements ReservationRepository {
  readonly reservations = new Map<string, Reservation>();
  /** Pending attempts, with the time (ms) each started by `now`. */
  readonly attempts = new Map<string, { attempt: ReservationAttempt; startedAt: number }>();
  readonly outbox: EventEnvelope[] = [];
  /** The repository's clock (the database's, in the real one), in ms. */
  now: () => number = () => Date.now();
  /** Makes the confirmation's commit fail. */
  failConfirmWith: Error | undefined;
  /** Makes every write fail, as a database that is down would. */
  failWritesWith: Error | undefined;
  /** Runs just before the confirmation, to simulate a concurrent sweep. */
  beforeConfirm: (() => void) | undefined;
  /** Runs just before the conditional cancel, to simulate a concurrent change. */
  beforeCancel: (() => void) | undefined;

  add(reservation: Reservation): Reservation {
    this.reservations.set(reservation.id, reservation);
    return reservation;
  }

  async startAttempt(attempt: ReservationAttempt): Promise<void> {
    if (this.failWritesWith) throw this.failWritesWith;
    this.attempts.set(attempt.id, { attempt: { ...attempt }, startedAt: this.now() });
  }

  async confirm(reservation: Reservation, reserved: EventEnvelope<'TicketReserved'>): Promise<Reservation | null> {
    this.beforeConfirm?.();
    const failure = this.failConfirmWith ?? this.failWritesWith;
    if (failure) throw failure;
    if (!this.attempts.delete(reservation.id)) return null;
    this.reservations.set(reservation.id, reservation);
    this.outbox.push(reserved);
    return reservation;
  }

  async abandonAttempt(id: string, abandoned: EventEnvelope<'HoldAbandoned'>): Promise<boolean> {
    if (this.failWritesWith) throw this.failWritesWith;
    if (!this.attempts.delete(id)) return false;
    this.outbox.push(abandoned);
    return true;
  }

  async forgetAttempt(id: string): Promise<void> {
    if (this.failWritesWith) throw this.failWritesWith;
    this.attempts.delete(id);
  }

  async abandonAttemptsOlderThan(
    olderThanMs: number,
    limit: number,
    abandonedEvent: (attempt: ReservationAttempt) => EventEnvelope<'HoldAbandoned'>,
  ): Promise<ReservationAttempt[]> {
    if (this.failWritesWith) throw this.failWritesWith;
    const expired = [...this.attempts.values()]
      .filter(({ startedAt }) => startedAt < this.now() - olderThanMs)
      .sort((a, b) => a.startedAt - b.startedAt)
      .slice(0, limit)
      .map(({ attempt }) => attempt);
    for (const attempt of expired) {
      this.attempts.delete(attempt.id);
      this.outbox.push(abandonedEvent(attempt));
    }
    return expired;
  }

  async findById(id: string): Promise<Reservation | null> {
    const found = this.reservations.get(id);
    return found ? { ...found } : null;
  }

  async findByIds(ids: readonly string[]): Promise<Reservation[]> {
    return [...new Set(ids)].flatMap((id) => this.reservations.get(id) ?? []);
  }

  async listByUser(userId: string, status: ReservationStatus | undefined, page: PageRequest): Promise<Reservation[]> {
    const mine = [...this.reservations.values()].filter((r) => r.userId === userId && (!status || r.status === status));
    // The listing order, newest first: reservation time, then id, both descending.
    return readKeysetPage(mine, keyOf, 'desc', page);
  }

  async cancelIfConfirmed(
    id: string,
    at: Date,
    cancelled: EventEnvelope<'ReservationCancelled'>,
  ): Promise<Reservation | null> {
    this.beforeCancel?.();
    if (this.failWritesWith) throw this.failWritesWith;
    const reservation = this.reservations.get(id);
    if (!reservation || reservation.status !== 'CONFIRMED') return null;
    const updated: Reservation = { ...reservation, status: 'CANCELLED', cancelledAt: at };
    this.reservations.set(id, updated);
    this.outbox.push(cancelled);
    return updated;
  }

  /** The HoldAbandoned events written, for assertions. */
  abandonedHolds(): EventEnvelope<'HoldAbandoned'>[] {
    return this.outbox.filter((e): e is EventEnvelope<'HoldAbandoned'> => e.type === 'HoldAbandoned');
  }
}
