/**
 * The invariant checker: a pure function from what the clients did (the history) and what the
 * system holds once quiet (a snapshot of every database, the API and the boards) to the
 * violations found. It knows the rules of the saga, not how the snapshot was read.
 */
import type { Grade, Operation } from './history.ts';

export interface TicketRow {
  id: string;
  state: 'AVAILABLE' | 'RESERVED';
  heldBy: string | null;
}

export interface ReservationRow {
  id: string;
  ticketId: string;
  userId: string;
  grade: Grade;
  status: 'CONFIRMED' | 'CANCELLED';
  /** The correlation id of the request that made it (from its TicketReserved event). */
  correlationId: string | null;
}

export interface PriceRow {
  ticketId: string;
  basePrice: number;
  policyDiscount: number;
  vipDiscount: number;
  finalPrice: number;
}

/** What a reader sees of one ticket: through the gateway (federated) or on the view's board. */
export interface TicketReading {
  ticketId: string;
  status: string;
  vipDiscount: number | null;
  finalPrice: number | null;
}

export interface ConsumerEvents {
  consumer: string;
  /** Ids of the published events this consumer must apply. */
  expected: string[];
  /** Ids in its inbox. */
  applied: string[];
}

export interface Snapshot {
  tickets: TicketRow[];
  reservations: ReservationRow[];
  prices: PriceRow[];
  /** Reservations whose VIP discount price holds as applied now. */
  appliedVipAdjustments: { reservationId: string; ticketId: string }[];
  apiTickets: TicketReading[];
  ticketBoard: TicketReading[];
  reservationBoard: { reservationId: string; status: string }[];
  /** Outbox rows not yet published, over every database. */
  unpublishedEvents: number;
  deadLetters: number;
  consumers: ConsumerEvents[];
  /** Events whose consumer wrote its effect more than once. */
  duplicateEffects: number;
  /** Reservation attempts neither confirmed nor abandoned yet. */
  pendingAttempts: number;
}

export const VIOLATION_KINDS = [
  'lost',
  'double-booked',
  'leaked-hold',
  'seat-not-held',
  'failed-left-behind',
  'phantom',
  'applied-twice',
  'event-lost',
  'outbox-backlog',
  'dead-lettered',
  'pending-attempts',
  'price-diverged',
  'api-diverged',
  'board-diverged',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

export interface Violation {
  kind: ViolationKind;
  detail: string;
}

export interface CheckResult {
  violations: Violation[];
  counts: Record<ViolationKind, number>;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | null | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null || k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

export function checkHistory(history: readonly Operation[], snapshot: Snapshot): CheckResult {
  const violations: Violation[] = [];
  const found = (kind: ViolationKind, detail: string) => violations.push({ kind, detail });

  checkReservations(history, snapshot, found);
  const holders = checkSeats(snapshot, found);
  checkPrices(snapshot, holders, found);
  checkReadings(snapshot, found);
  checkEvents(snapshot, found);

  const counts = Object.fromEntries(VIOLATION_KINDS.map((kind) => [kind, 0])) as Record<ViolationKind, number>;
  for (const violation of violations) counts[violation.kind] += 1;
  return { violations, counts };
}

type Found = (kind: ViolationKind, detail: string) => void;

/** Every acknowledged reserve and cancel is reflected; every failed one left nothing behind. */
function checkReservations(history: readonly Operation[], snapshot: Snapshot, found: Found): void {
  const operations = new Map(history.map((operation) => [operation.id, operation]));
  const reservations = new Map(snapshot.reservations.map((reservation) => [reservation.id, reservation]));

  for (const [correlationId, made] of groupBy(snapshot.reservations, (r) => r.correlationId)) {
    const operation = operations.get(correlationId);
    if (made.length > 1) found('applied-twice', `reserve ${correlationId} made ${made.length} reservations`);
    if (!operation || operation.kind !== 'reserve') {
      found('phantom', `reservation ${made[0]!.id} answers to no reserve operation (${correlationId})`);
    } else if (operation.outcome === 'failed') {
      found('failed-left-behind', `reserve ${operation.id} failed (${operation.code}) yet made ${made[0]!.id}`);
    }
  }
  for (const reservation of snapshot.reservations) {
    if (reservation.correlationId === null) found('phantom', `reservation ${reservation.id} has no TicketReserved`);
  }

  const cancels = groupBy(
    history.filter((operation) => operation.kind === 'cancel'),
    (operation) => operation.reservationId,
  );
  for (const reserve of history.filter((operation) => operation.kind === 'reserve' && operation.outcome === 'ok')) {
    const reservation = reservations.get(reserve.reservationId ?? '');
    if (!reservation || reservation.ticketId !== reserve.ticketId || reservation.userId !== reserve.userId) {
      found('lost', `reserve ${reserve.id} answered ${reserve.reservationId}, which is not there`);
    }
  }
  for (const reservation of snapshot.reservations) {
    const attempts = cancels.get(reservation.id) ?? [];
    const acknowledged = attempts.some((cancel) => cancel.outcome === 'ok');
    const possible = attempts.some((cancel) => cancel.outcome !== 'failed');
    if (acknowledged && reservation.status !== 'CANCELLED') {
      found('lost', `the cancellation of ${reservation.id} was acknowledged; it is ${reservation.status}`);
    }
    if (reservation.status === 'CANCELLED' && !possible) {
      const kind = attempts.length > 0 ? 'failed-left-behind' : 'phantom';
      found(kind, `${reservation.id} is CANCELLED though no cancellation of it may have happened`);
    }
  }
}

/**
 * Every ticket is RESERVED exactly when one CONFIRMED reservation holds it, AVAILABLE exactly when
 * none does. Returns each ticket's holder (when there is exactly one).
 */
function checkSeats(snapshot: Snapshot, found: Found): Map<string, ReservationRow> {
  const confirmed = groupBy(
    snapshot.reservations.filter((reservation) => reservation.status === 'CONFIRMED'),
    (reservation) => reservation.ticketId,
  );
  const holders = new Map<string, ReservationRow>();
  const statusOf = new Map(snapshot.reservations.map((reservation) => [reservation.id, reservation.status]));
  for (const ticket of snapshot.tickets) {
    const holding = confirmed.get(ticket.id) ?? [];
    if (holding.length > 1) {
      found('double-booked', `ticket ${ticket.id} has ${holding.length} CONFIRMED reservations`);
      continue;
    }
    const holder = holding[0];
    if (holder) holders.set(ticket.id, holder);
    if (holder && (ticket.state !== 'RESERVED' || ticket.heldBy !== holder.id)) {
      found('seat-not-held', `ticket ${ticket.id} is ${ticket.state} (${ticket.heldBy}) though ${holder.id} holds it`);
    }
    if (!holder && (ticket.state !== 'AVAILABLE' || ticket.heldBy !== null)) {
      found(
        'leaked-hold',
        `ticket ${ticket.id} is ${ticket.state}, held by ${ticket.heldBy}, ` +
          (statusOf.has(ticket.heldBy ?? '')
            ? `a ${statusOf.get(ticket.heldBy ?? '')} reservation`
            : 'a reservation that never existed'),
      );
    }
  }
  return holders;
}

/** The VIP discount applies exactly while a VIP reservation holds the ticket. */
function checkPrices(snapshot: Snapshot, holders: Map<string, ReservationRow>, found: Found): void {
  const prices = new Map(snapshot.prices.map((price) => [price.ticketId, price]));
  const applied = groupBy(snapshot.appliedVipAdjustments, (adjustment) => adjustment.ticketId);
  for (const ticket of snapshot.tickets) {
    const price = prices.get(ticket.id);
    const holder = holders.get(ticket.id);
    const vipHolds = holder?.grade === 'VIP';
    if (!price) {
      found('price-diverged', `ticket ${ticket.id} has no price`);
      continue;
    }
    if (price.vipDiscount > 0 !== vipHolds) {
      found(
        'price-diverged',
        `ticket ${ticket.id}: VIP discount ${price.vipDiscount} while held by ${holder?.grade ?? 'nobody'}`,
      );
    }
    if (price.finalPrice !== price.basePrice - price.policyDiscount - price.vipDiscount) {
      found('price-diverged', `ticket ${ticket.id}: final price ${price.finalPrice} does not add up`);
    }
    const adjustments = (applied.get(ticket.id) ?? []).map((adjustment) => adjustment.reservationId);
    const expected = vipHolds ? [holder!.id] : [];
    if (adjustments.sort().join() !== expected.join()) {
      found(
        'price-diverged',
        `ticket ${ticket.id}: VIP discounts applied for [${adjustments}], expected [${expected}]`,
      );
    }
  }
}

/** Through the gateway and on the view's boards, every reader sees the databases' state. */
function checkReadings(snapshot: Snapshot, found: Found): void {
  const prices = new Map(snapshot.prices.map((price) => [price.ticketId, price]));
  const sources = [
    ['api-diverged', 'the API', new Map(snapshot.apiTickets.map((reading) => [reading.ticketId, reading]))],
    ['board-diverged', 'the ticket board', new Map(snapshot.ticketBoard.map((reading) => [reading.ticketId, reading]))],
  ] as const;
  for (const ticket of snapshot.tickets) {
    const price = prices.get(ticket.id);
    for (const [kind, where, readings] of sources) {
      const reading = readings.get(ticket.id);
      if (
        !reading ||
        reading.status !== ticket.state ||
        reading.vipDiscount !== (price?.vipDiscount ?? null) ||
        reading.finalPrice !== (price?.finalPrice ?? null)
      ) {
        found(
          kind,
          `${where} shows ticket ${ticket.id} as ${JSON.stringify(reading)}; it is ${ticket.state}, ${JSON.stringify(price)}`,
        );
      }
    }
  }
  const board = new Map(snapshot.reservationBoard.map((entry) => [entry.reservationId, entry.status]));
  for (const reservation of snapshot.reservations) {
    if (board.get(reservation.id) !== reservation.status) {
      found(
        'board-diverged',
        `the reservation board shows ${reservation.id} as ${board.get(reservation.id)}; it is ${reservation.status}`,
      );
    }
  }
  const known = new Set(snapshot.reservations.map((reservation) => reservation.id));
  for (const entry of snapshot.reservationBoard) {
    if (!known.has(entry.reservationId))
      found('board-diverged', `the reservation board shows ${entry.reservationId}, which does not exist`);
  }
}

/** Every event published and applied once: inboxes against outboxes. */
function checkEvents(snapshot: Snapshot, found: Found): void {
  if (snapshot.unpublishedEvents > 0) found('outbox-backlog', `${snapshot.unpublishedEvents} events never published`);
  if (snapshot.deadLetters > 0) found('dead-lettered', `${snapshot.deadLetters} events dead-lettered`);
  if (snapshot.duplicateEffects > 0)
    found('applied-twice', `${snapshot.duplicateEffects} events had their effect written twice`);
  if (snapshot.pendingAttempts > 0)
    found('pending-attempts', `${snapshot.pendingAttempts} reservation attempts never settled`);
  for (const consumer of snapshot.consumers) {
    const applied = new Set(consumer.applied);
    const expected = new Set(consumer.expected);
    const missing = consumer.expected.filter((id) => !applied.has(id));
    const unknown = consumer.applied.filter((id) => !expected.has(id));
    if (missing.length > 0)
      found('event-lost', `${consumer.consumer} never applied ${missing.length} events (${missing[0]}…)`);
    if (unknown.length > 0) found('phantom', `${consumer.consumer} applied ${unknown.length} events nobody published`);
  }
}
