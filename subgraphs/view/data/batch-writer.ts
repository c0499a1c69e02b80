/**
 * The projector's write path: a batch of stream messages applied in one SQLite transaction, with
 * statements prepared once per store. The same transaction records the last stream sequence
 * applied and the ids of the events (the view's inbox), so a batch is applied whole or not at all,
 * and an event published twice is applied once.
 */
import type Database from 'libsql';
import type { EventEnvelope } from '../../../ticketing/events/contracts.ts';
import { applyEvents, emptySlice, type BoardChanges, type TicketSlice } from '../domain/project-event.ts';
import {
  RESERVATION_ROW,
  replaceStatement,
  rowFrom,
  selectList,
  TICKET_ROW,
  toReservationEntry,
  toReservationRow,
  toTicketEntry,
  toTicketRow,
  valuesOf,
  type ReservationRow,
  type TicketRow,
} from './entry-rows.ts';

/** A message of the stream: its sequence and the event it carries (null if it is not a valid event). */
export interface SequencedEvent {
  sequence: number;
  event: EventEnvelope | null;
}

/** The events of a batch applied, and those skipped as applied before. */
export interface AppliedEvents {
  applied: EventEnvelope[];
  duplicates: EventEnvelope[];
}

export interface BatchWriter {
  /** The stream sequence of the last message applied (0 for a new store). */
  lastAppliedSequence(): number;
  /** Applies the messages after the last applied sequence, in order, in one transaction. */
  apply(batch: readonly SequencedEvent[]): AppliedEvents;
}

/** Any number of keys as one parameter (a JSON array), so one prepared statement serves every batch. */
const IN_LIST = 'IN (SELECT value FROM json_each(?))';

export function prepareBatchWriter(db: Database.Database): BatchWriter {
  const statements = {
    lastApplied: db.prepare('SELECT last_applied_sequence AS sequence FROM view_meta WHERE id = 1'),
    appliedIds: db.prepare(`SELECT id FROM applied_event WHERE id ${IN_LIST}`),
    tickets: db.prepare(`SELECT ${selectList(TICKET_ROW)} FROM ticket_entry WHERE ticket_id ${IN_LIST}`),
    reservations: db.prepare(`SELECT ${selectList(RESERVATION_ROW)} FROM reservation_entry WHERE ticket_id ${IN_LIST}`),
    releasedHolds: db.prepare(
      `SELECT reservation_id AS reservationId, ticket_id AS ticketId FROM released_hold WHERE ticket_id ${IN_LIST}`,
    ),
    replaceTicket: db.prepare(replaceStatement(TICKET_ROW)),
    replaceReservation: db.prepare(replaceStatement(RESERVATION_ROW)),
    releaseHold: db.prepare('INSERT INTO released_hold (reservation_id, ticket_id) VALUES (?, ?)'),
    recordApplied: db.prepare('INSERT INTO applied_event (id) SELECT value FROM json_each(?)'),
    advance: db.prepare('UPDATE view_meta SET last_applied_sequence = ? WHERE id = 1'),
  };

  function lastAppliedSequence(): number {
    const row = statements.lastApplied.get() as { sequence: number } | undefined;
    if (!row) throw new Error('the store has no view_meta row');
    return Number(row.sequence);
  }

  function withoutAppliedEvents(events: EventEnvelope[]): AppliedEvents {
    const rows = statements.appliedIds.all(JSON.stringify(events.map((e) => e.id))) as { id: string }[];
    const seen = new Set(rows.map((row) => row.id));
    const applied: EventEnvelope[] = [];
    const duplicates: EventEnvelope[] = [];
    for (const event of events) {
      if (seen.has(event.id)) duplicates.push(event);
      else {
        seen.add(event.id);
        applied.push(event);
      }
    }
    return { applied, duplicates };
  }

  function loadSlices(ticketIds: string[]): TicketSlice[] {
    const keys = JSON.stringify(ticketIds);
    const tickets = (statements.tickets.all(keys) as Record<string, unknown>[]).map((row) =>
      toTicketEntry(rowFrom<TicketRow>(TICKET_ROW, row)),
    );
    const reservations = (statements.reservations.all(keys) as Record<string, unknown>[]).map((row) =>
      toReservationEntry(rowFrom<ReservationRow>(RESERVATION_ROW, row)),
    );
    const releasedHolds = statements.releasedHolds.all(keys) as { reservationId: string; ticketId: string }[];
    return ticketIds.map((ticketId) => ({
      ...emptySlice(ticketId),
      ticket: tickets.find((ticket) => ticket.ticketId === ticketId) ?? null,
      reservations: reservations.filter((reservation) => reservation.ticketId === ticketId),
      releasedHolds: releasedHolds.filter((hold) => hold.ticketId === ticketId).map((hold) => hold.reservationId),
    }));
  }

  function writeChanges(changes: BoardChanges): void {
    for (const ticket of changes.tickets) statements.replaceTicket.run(...valuesOf(TICKET_ROW, toTicketRow(ticket)));
    for (const reservation of changes.reservations) {
      statements.replaceReservation.run(...valuesOf(RESERVATION_ROW, toReservationRow(reservation)));
    }
    for (const hold of changes.releasedHolds) statements.releaseHold.run(hold.reservationId, hold.ticketId);
  }

  // IMMEDIATE: the write lock is taken at BEGIN, so a batch never fails half-way for want of it.
  const applyInTransaction = db.transaction((batch: readonly SequencedEvent[]): AppliedEvents => {
    const lastApplied = lastAppliedSequence();
    const fresh = batch.filter((message) => message.sequence > lastApplied);
    const last = fresh.at(-1);
    if (!last) return { applied: [], duplicates: [] };
    const outcome = withoutAppliedEvents(fresh.flatMap((message) => (message.event ? [message.event] : [])));
    const ticketIds = [...new Set(outcome.applied.flatMap((event) => (event.ticketId ? [event.ticketId] : [])))];
    writeChanges(applyEvents(loadSlices(ticketIds), outcome.applied));
    statements.recordApplied.run(JSON.stringify(outcome.applied.map((event) => event.id)));
    statements.advance.run(last.sequence);
    return outcome;
  }).immediate;

  return { lastAppliedSequence, apply: applyInTransaction };
}
