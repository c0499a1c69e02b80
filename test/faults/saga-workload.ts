/**
 * The saga under load, counted: unique tickets in, every operation's outcome recorded, every
 * expected end state checked straight in each subgraph's database, and duplicates of effects
 * looked for in the events each consumer wrote. A fault test runs a workload, breaks something,
 * heals it, and asks for the figures.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { graphql } from '../../operations/client.ts';
import {
  CancelReservationDocument,
  RegisterTicketDocument,
  ReserveTicketStatusDocument,
} from '../../operations/documents.generated.ts';
import { aTicket } from '../support/builders.ts';
import type { TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';
import { queryOnce } from '../../system/postgres.ts';

export interface SagaFigures {
  scenario: string;
  /** Client operations sent (reservations and cancellations). */
  attempted: number;
  /** Operations the API acknowledged with success. */
  acknowledged: number;
  /** Distinct events on the stream. */
  eventsPublished: number;
  /** Events the consumers applied (inbox rows of ticket and price). */
  eventsApplied: number;
  /** Acknowledged outcomes missing after convergence, plus events stuck in an outbox. */
  lost: number;
  /** Effects applied more than once for one event. */
  appliedTwice: number;
  /** From the moment the fault healed until every end state matched. */
  convergeMs: number;
}

interface Chain {
  ticketId: string;
  basePrice: number;
  reservationId?: string;
  cancelled: boolean;
}

export class SagaWorkload {
  private readonly chains: Chain[] = [];
  attempted = 0;
  acknowledged = 0;

  private constructor(
    private readonly supergraph: TestSupergraph,
    private readonly vip: string,
  ) {}

  static async create(supergraph: TestSupergraph): Promise<SagaWorkload> {
    return new SagaWorkload(supergraph, await tokenFor('fault-vip', { grade: 'VIP' }));
  }

  /** Registers `count` tickets (not counted as workload operations). */
  async registerTickets(count: number): Promise<void> {
    const admin = await adminToken();
    for (let i = 0; i < count; i++) {
      const input = aTicket({ basePrice: 10_000 + i * 100 });
      const result = await graphql(this.supergraph.gatewayUrl, RegisterTicketDocument, {
        variables: { input },
        token: admin,
      });
      if (!result.data?.registerTicket) throw new Error(`registration failed: ${JSON.stringify(result.errors)}`);
      this.chains.push({ ticketId: result.data.registerTicket.id, basePrice: input.basePrice, cancelled: false });
    }
  }

  /** Reserves every ticket (as a VIP), `concurrency` at a time, `pauseMs` between operations. */
  async reserveAll(options: { concurrency?: number; pauseMs?: number } = {}): Promise<void> {
    await this.forEachChain(options, async (chain) => {
      const result = await this.send(ReserveTicketStatusDocument, { ticketId: chain.ticketId });
      if (result.data?.reserveTicket) chain.reservationId = result.data.reserveTicket.id;
    });
  }

  /** Cancels the reservation of every `every`-th ticket. */
  async cancelSome(options: { every?: number; concurrency?: number; pauseMs?: number } = {}): Promise<void> {
    const every = options.every ?? 2;
    const chosen = this.chains.filter((chain, i) => chain.reservationId && i % every === 0);
    await this.forEachChain({ ...options, chains: chosen }, async (chain) => {
      const result = await this.send(CancelReservationDocument, { id: chain.reservationId! });
      if (result.data?.cancelReservation?.status === 'CANCELLED') chain.cancelled = true;
    });
  }

  private async send<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables) {
    this.attempted += 1;
    const result = await graphql(this.supergraph.gatewayUrl, document, { variables, token: this.vip });
    if (!result.errors) this.acknowledged += 1;
    return result;
  }

  private async forEachChain(
    options: { concurrency?: number; pauseMs?: number; chains?: Chain[] },
    work: (chain: Chain) => Promise<void>,
  ): Promise<void> {
    const queue = [...(options.chains ?? this.chains)];
    const worker = async () => {
      for (let chain = queue.shift(); chain; chain = queue.shift()) {
        await work(chain);
        if (options.pauseMs) await sleep(options.pauseMs);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  }

  /** End states that do not match yet: the count of acknowledged outcomes not (yet) reflected. */
  async mismatches(): Promise<number> {
    const ids = this.chains.map((c) => c.ticketId);
    const [tickets, prices, reservations] = await Promise.all([
      queryOnce<{ id: string; state: string; held_by: string | null }>(
        this.supergraph.databaseUrls.ticket,
        'SELECT id::text, state::text, held_by::text FROM ticket WHERE id = ANY($1::uuid[])',
        [ids],
      ),
      queryOnce<{
        ticket_id: string;
        vip_discount: number;
        final_price: number;
        base_price: number;
        policy_discount: number;
      }>(
        this.supergraph.databaseUrls.price,
        'SELECT ticket_id::text, vip_discount, final_price, base_price, policy_discount FROM price WHERE ticket_id = ANY($1::uuid[])',
        [ids],
      ),
      queryOnce<{ id: string; status: string }>(
        this.supergraph.databaseUrls.reservation,
        'SELECT id::text, status::text FROM reservation WHERE ticket_id = ANY($1::uuid[])',
        [ids],
      ),
    ]);
    const ticketById = new Map(tickets.map((t) => [t.id, t]));
    const priceById = new Map(prices.map((p) => [p.ticket_id, p]));
    const reservationById = new Map(reservations.map((r) => [r.id, r]));
    let wrong = 0;
    for (const chain of this.chains) {
      const held = chain.reservationId !== undefined && !chain.cancelled;
      const ticket = ticketById.get(chain.ticketId);
      const price = priceById.get(chain.ticketId);
      const ticketRight = held
        ? ticket?.state === 'RESERVED' && ticket.held_by === chain.reservationId
        : ticket?.state === 'AVAILABLE' && ticket.held_by === null;
      const priceRight =
        price !== undefined &&
        price.base_price === chain.basePrice &&
        (held ? price.vip_discount > 0 : price.vip_discount === 0) &&
        price.final_price === price.base_price - price.policy_discount - price.vip_discount;
      const reservation = chain.reservationId ? reservationById.get(chain.reservationId) : undefined;
      const reservationRight =
        !chain.reservationId || reservation?.status === (chain.cancelled ? 'CANCELLED' : 'CONFIRMED');
      if (!ticketRight || !priceRight || !reservationRight) wrong += 1;
    }
    return wrong + (await this.unpublishedEvents());
  }

  /** Waits until every end state matches; returns the time it took, or throws with the count left. */
  async converge(timeoutMs = 45_000): Promise<number> {
    const started = Date.now();
    for (;;) {
      const wrong = await this.mismatches();
      if (wrong === 0) return Date.now() - started;
      if (Date.now() - started > timeoutMs)
        throw new Error(`not converged after ${timeoutMs} ms: ${wrong} end states or outbox rows still wrong`);
      await sleep(100);
    }
  }

  async figures(scenario: string, convergeMs: number): Promise<SagaFigures> {
    const [eventsPublished, eventsApplied, appliedTwice, lost] = await Promise.all([
      this.streamMessages(),
      this.inboxRows(),
      this.duplicateEffects(),
      this.mismatches(),
    ]);
    return {
      scenario,
      attempted: this.attempted,
      acknowledged: this.acknowledged,
      eventsPublished,
      eventsApplied,
      lost,
      appliedTwice,
      convergeMs,
    };
  }

  /** Events committed in an outbox and not yet published, over every subgraph. */
  async unpublishedEvents(): Promise<number> {
    const { ticket, reservation, price } = this.supergraph.databaseUrls;
    const counts = await Promise.all(
      [ticket, reservation, price].map((url) =>
        queryOnce<{ n: number }>(url, 'SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL'),
      ),
    );
    return counts.reduce((sum, rows) => sum + rows[0]!.n, 0);
  }

  private async inboxRows(): Promise<number> {
    const { ticket, price } = this.supergraph.databaseUrls;
    const counts = await Promise.all(
      [ticket, price].map((url) => queryOnce<{ n: number }>(url, 'SELECT count(*)::int AS n FROM inbox_event')),
    );
    return counts.reduce((sum, rows) => sum + rows[0]!.n, 0);
  }

  /** An event whose consumer wrote its effect's event more than once was applied twice. */
  private async duplicateEffects(): Promise<number> {
    const { ticket, price } = this.supergraph.databaseUrls;
    const sql = `SELECT count(*)::int AS n FROM (
        SELECT envelope->>'causationId', type FROM outbox_event
        WHERE envelope->>'causationId' IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) duplicates`;
    const counts = await Promise.all([ticket, price].map((url) => queryOnce<{ n: number }>(url, sql)));
    return counts.reduce((sum, rows) => sum + rows[0]!.n, 0);
  }

  private async streamMessages(): Promise<number> {
    const connection = await connect({ servers: this.supergraph.stream.url });
    try {
      const info = await (await jetstreamManager(connection)).streams.info(this.supergraph.stream.stream);
      return info.state.messages;
    } finally {
      await connection.close();
    }
  }
}

/** Prints a figures line the README's table is copied from. */
export function report(figures: SagaFigures): void {
  process.stdout.write(`\nFAULT FIGURES ${JSON.stringify(figures)}\n`);
}
