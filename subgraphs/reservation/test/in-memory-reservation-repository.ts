/**
 * The reservation repository port in memory, for domain tests: the same rules as the PostgreSQL
 * repository (the conditional cancel), with switches that make its writes fail, and the events it
 * would have written to the outbox there to inspect.
 */
import type { EventEnvelope } from '../../../platform/events/contracts.ts';
import type { ReservationRepository } from '../domain/ports.ts';
import type { Reservation } from '../domain/reservation.ts';

export class InMemoryReservationRepository implements ReservationRepository {
  readonly reservations = new Map<string, Reservation>();
  readonly outbox: EventEnvelope[] = [];
  /** Makes the reservation's commit fail. */
  failCreateWith: Error | undefined;
  /** Makes every write fail, as a database that is down would. */
  failWritesWith: Error | undefined;
  /** Runs just before the conditional cancel, to simulate a concurrent change. */
  beforeCancel: (() => void) | undefined;

  add(reservation: Reservation): Reservation {
    this.reservations.set(reservation.id, reservation);
    return reservation;
  }

  async create(reservation: Reservation, reserved: EventEnvelope<'TicketReserved'>): Promise<Reservation> {
    const failure = this.failCreateWith ?? this.failWritesWith;
    if (failure) throw failure;
    this.reservations.set(reservation.id, reservation);
    this.outbox.push(reserved);
    return reservation;
  }

  async findById(id: string): Promise<Reservation | null> {
    const found = this.reservations.get(id);
    return found ? { ...found } : null;
  }

  async findByIds(ids: readonly string[]): Promise<Reservation[]> {
    return ids.flatMap((id) => this.reservations.get(id) ?? []);
  }

  async listByUser(userId: string): Promise<Reservation[]> {
    return [...this.reservations.values()].filter((r) => r.userId === userId);
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

  async recordAbandonedHold(abandoned: EventEnvelope<'HoldAbandoned'>): Promise<void> {
    if (this.failWritesWith) throw this.failWritesWith;
    this.outbox.push(abandoned);
  }

  /** The HoldAbandoned events written, for assertions. */
  abandonedHolds(): EventEnvelope<'HoldAbandoned'>[] {
    return this.outbox.filter((e): e is EventEnvelope<'HoldAbandoned'> => e.type === 'HoldAbandoned');
  }
}
