/**
 * The ticket repository port in memory, for domain tests: the same rules as the PostgreSQL
 * repository (listing order, status filter and paging, the conditional hold, the holder-only
 * release, closed holds, the inbox), held to them by ticket-repository.contract.ts; what it
 * stores and the events it would have written are there to inspect.
 */
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { readKeysetPage, type PageRequest } from '../../../platform/pagination.ts';
import type { HoldAttempt, HoldEnd, NewTicket, TicketRepository } from '../domain/ports.ts';
import { statusOf, type Ticket, type TicketStatus } from '../domain/ticket.ts';

const keyOf = (ticket: Ticket) => ({ at: ticket.createdAt, id: ticket.id });

export class InMemoryTicketRepository implements TicketRepository {
  readonly tickets = new Map<string, Ticket>();
  readonly outbox: EventEnvelope[] = [];
  readonly closedHolds = new Set<string>();
  /** Ids of the events whose effects were applied. */
  readonly inbox = new Set<string>();

  constructor(private readonly clock: () => Date) {}

  add(ticket: Ticket): Ticket {
    this.tickets.set(ticket.id, ticket);
    return ticket;
  }

  async register(ticket: NewTicket, registered: EventEnvelope<'TicketRegistered'>): Promise<Ticket> {
    const now = this.clock();
    const stored: Ticket = { ...ticket, state: 'AVAILABLE', heldBy: null, createdAt: now, updatedAt: now };
    this.tickets.set(stored.id, stored);
    this.outbox.push(registered);
    return stored;
  }

  async findById(id: string): Promise<Ticket | null> {
    return this.tickets.get(id) ?? null;
  }

  async findByIds(ids: readonly string[]): Promise<Ticket[]> {
    return [...new Set(ids)].flatMap((id) => this.tickets.get(id) ?? []);
  }

  async list(filter: { status?: TicketStatus; now: Date }, page: PageRequest): Promise<Ticket[]> {
    const matching = [...this.tickets.values()].filter(
      (ticket) => !filter.status || statusOf(ticket, filter.now) === filter.status,
    );
    // The listing order: registration time, then id.
    return readKeysetPage(matching, keyOf, 'asc', page);
  }

  async count(): Promise<number> {
    return this.tickets.size;
  }

  async holdIfAvailable(
    ticketId: string,
    reservationId: string,
    now: Date,
    held: EventEnvelope<'TicketHeld'>,
  ): Promise<HoldAttempt> {
    const ticket = this.tickets.get(ticketId);
    const holdClosed = this.closedHolds.has(reservationId);
    if (!ticket || holdClosed || ticket.state !== 'AVAILABLE' || ticket.expiresAt.getTime() <= now.getTime()) {
      // One thread: nothing can change between looking and taking, so never contended.
      return { held: false, ticket: ticket ?? null, holdClosed, contended: false };
    }
    this.tickets.set(ticketId, { ...ticket, state: 'RESERVED', heldBy: reservationId, updatedAt: now });
    this.outbox.push(held);
    return { held: true };
  }

  async releaseIfHeldBy(
    ticketId: string,
    reservationId: string,
    released: EventEnvelope<'TicketReleased'>,
    options: { cause?: EventEnvelope; close?: boolean } = {},
  ): Promise<boolean> {
    if (options.cause) {
      if (this.inbox.has(options.cause.id)) return false;
      this.inbox.add(options.cause.id);
    }
    if (options.close) this.closedHolds.add(reservationId);
    const ticket = this.tickets.get(ticketId);
    if (!ticket || ticket.state !== 'RESERVED' || ticket.heldBy !== reservationId) return false;
    this.tickets.set(ticketId, { ...ticket, state: 'AVAILABLE', heldBy: null, updatedAt: this.clock() });
    this.outbox.push(released);
    return true;
  }

  async closeHoldsOfEndedReservations(ends: readonly HoldEnd[]): Promise<void> {
    for (const { ticketId, reservationId, released, cause } of ends) {
      await this.releaseIfHeldBy(ticketId, reservationId, released, { cause, close: true });
    }
  }
}
