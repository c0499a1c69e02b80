/**
 * The write path end to end. Throughput: VIP users reserving distinct tickets through our gateway
 * (each reservation holds its ticket synchronously, commits with its event, and fans out to price
 * and the view by events), a fixed number per round so no ticket is asked for twice.
 *
 * Saga completion: a few reservations at a time, each timed from its `reserveTicket` response until
 * price (the ticket's VIP discount) and, when the view subgraph runs, the view (the user's
 * reservation board entry with that discount) read the new state. Both are polled straight at the
 * subgraphs every POLL_MS, so a figure is late by up to POLL_MS plus a poll's own round trip (on a
 * quiet machine, half of the p50: docs/performance.md) and includes no gateway time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { graphql, mustQuery, requestBody } from '../../operations/client.ts';
import {
  PriceDocument,
  ReservationBoardDocument,
  ReserveTicketStatusDocument,
} from '../../operations/documents.generated.ts';
import type { BenchEntry } from '../support/entry.ts';
import { forEachConcurrently } from '../support/for-each-concurrently.ts';
import {
  cpuFigures,
  cpuPerOperation,
  cpuSnapshot,
  describeCpu,
  NO_CPU_ACCOUNTING,
  systemCpuMs,
} from '../support/cpu.ts';
import { untilSettled } from '../support/settled.ts';
import { median, percentile, runRound, summarise, type RoundResult } from '../support/load.ts';

const POLL_MS = 10;
const SAGA_SAMPLES = 100;
const SAGA_CONCURRENCY = 2;
const SAGA_TIMEOUT_MS = 10_000;
/** How long the consumers may take to work off what the throughput rounds left them. */
const BACKLOG_TIMEOUT_MS = 180_000;

export const reservations: BenchEntry = {
  name: 'reservations',
  title: 'Reservations of distinct tickets end to end, and saga completion',
  async run({ stack, load, log }) {
    const { connections } = load;
    const tokens = stack.userTokens;

    // Saga latency first, on a quiet system; then throughput, which leaves the consumers a backlog.
    const saga = await measureSagas();
    // Tickets are registered and priced before the load that reserves them, so the rounds measure
    // reservations, not registrations; a warm-up on a small pool sizes the rounds' pools.
    const warmupTickets = await stack.registerTickets(Math.max(connections * 10, 200));
    await consumersCaughtUp(warmupTickets);
    const warmup = await reserveAll(warmupTickets);
    const perRound = Math.max(connections * 10, Math.round(warmup.requestsPerSecond * load.roundSeconds));
    log(`reservations: warm-up ${Math.round(warmup.requestsPerSecond)}/s; ${load.rounds} rounds of ${perRound}`);
    const pools: string[][] = [];
    for (let round = 0; round < load.rounds; round++) pools.push(await stack.registerTickets(perRound));
    await consumersCaughtUp(pools.at(-1)!);
    // CPU per reservation: every process's CPU from the first round's start until the system has
    // done all the work the rounds gave it (sagas, relays, consumers, the view), over the reservations.
    const cpuBefore = cpuSnapshot(stack.watched());
    const rounds: RoundResult[] = [];
    for (const pool of pools) rounds.push(await reserveAll(pool));
    const lastReserved = pools.at(-1)!.slice(-connections);
    const throughput = summarise('reserveTicket through our gateway, distinct tickets', rounds);

    async function reserveAll(ticketIds: string[]): Promise<RoundResult> {
      let next = 0;
      return runRound(
        {
          label: 'reserveTicket',
          url: stack.gateway.url,
          pid: stack.gateway.pid,
          body: () => requestBody(ReserveTicketStatusDocument, { ticketId: ticketIds[next++]! }),
          tokens,
        },
        { seconds: 120, connections, amount: ticketIds.length, watch: stack.watched() },
      );
    }

    const drainSeconds = await drainTime(lastReserved);
    await untilSettled(stack, BACKLOG_TIMEOUT_MS);
    const reserved = rounds.reduce((sum, round) => sum + round.ok, 0);
    const cpu = cpuPerOperation(cpuBefore, cpuSnapshot(stack.watched()), reserved);
    const viewNote = stack.subgraphs.view
      ? 'price and view both read it'
      : `price only: the view subgraph is not running (${stack.missing.view ?? 'unknown reason'})`;
    return {
      headlines: [
        {
          name: 'reservations_per_s',
          label: 'reservations of distinct tickets, end to end',
          value: Math.round(throughput.requestsPerSecond),
          unit: 'req/s',
        },
        {
          name: 'cpu_ms_per_reservation',
          label: 'CPU per reservation across the system’s Node processes, sagas and consumers included',
          value: systemCpuMs(cpu),
          unit: 'ms',
          ...(systemCpuMs(cpu) === null ? { unavailable: NO_CPU_ACCOUNTING } : {}),
        },
        { name: 'saga_p50_ms', label: `saga completion p50 (${viewNote})`, value: saga.p50Ms, unit: 'ms' },
        { name: 'saga_p99_ms', label: 'saga completion p99', value: saga.p99Ms, unit: 'ms' },
      ],
      rows: [
        {
          ...throughput,
          note:
            `${load.rounds} rounds of ${perRound}; price had applied the last ones ${drainSeconds} s after the last ` +
            `response. ${describeCpu(cpu, 'reservation')}, from the first round until every outbox, consumer ` +
            `and the view had finished`,
        },
        {
          label: `saga: reserveTicket response → ${viewNote}`,
          p50Ms: saga.p50Ms,
          p99Ms: saga.p99Ms,
          note: `${saga.samples} sagas, ${SAGA_CONCURRENCY} at a time, polled every ${POLL_MS} ms; price alone p50 ${saga.priceP50Ms} ms, p99 ${saga.priceP99Ms} ms`,
        },
      ],
      raw: {
        reservations_per_s: throughput.requestsPerSecond,
        reserve_p50_ms: throughput.p50Ms,
        reserve_p99_ms: throughput.p99Ms,
        gateway_cpu_ms_per_reservation: throughput.cpuMsPerRequest ?? null,
        saga_p50_ms: saga.p50Ms,
        saga_p99_ms: saga.p99Ms,
        saga_price_p50_ms: saga.priceP50Ms,
        saga_price_p99_ms: saga.priceP99Ms,
        saga_samples: saga.samples,
        event_backlog_drain_s: drainSeconds,
        ...cpuFigures('reservation', cpu),
      },
    };

    /** Until price has priced the last of these tickets (and, the stream being ordered, all before them). */
    async function consumersCaughtUp(ticketIds: string[]): Promise<void> {
      const priceUrl = stack.subgraphs.price!.url;
      for (const ticketId of ticketIds.slice(-connections)) {
        await until(() => hasPrice(priceUrl, ticketId), BACKLOG_TIMEOUT_MS);
      }
    }

    /**
     * From the end of the last round until price has applied its last reservations, in s. Read in
     * price's database, so the polling costs price's process nothing (its CPU is being counted).
     */
    async function drainTime(ticketIds: string[]): Promise<number> {
      const started = performance.now();
      await until(async () => (await stack.vipDiscounted(ticketIds)) === ticketIds.length, BACKLOG_TIMEOUT_MS);
      return Math.round((performance.now() - started) / 100) / 10;
    }

    async function measureSagas() {
      const ticketIds = await stack.registerTickets(SAGA_SAMPLES);
      const priceUrl = stack.subgraphs.price!.url;
      const viewUrl = stack.subgraphs.view?.url;
      // Tickets are priced from TicketRegistered: a saga starts from a priced ticket.
      await forEachConcurrently(ticketIds, 8, (ticketId) =>
        until(() => hasPrice(priceUrl, ticketId), BACKLOG_TIMEOUT_MS),
      );
      const total: number[] = [];
      const priceOnly: number[] = [];
      await forEachConcurrently(ticketIds, SAGA_CONCURRENCY, async (ticketId, i) => {
        const token = tokens[i % tokens.length]!;
        const reserved = await mustQuery(stack.gateway.url, ReserveTicketStatusDocument, {
          variables: { ticketId },
          token,
        });
        const started = performance.now();
        const priced = until(async () => ((await priceOf(priceUrl, ticketId)) ?? 0) > 0).then(
          () => performance.now() - started,
        );
        const viewed = viewUrl
          ? until(() => boardShows(viewUrl, token, reserved.reserveTicket.id)).then(() => performance.now() - started)
          : priced;
        const [priceMs, viewMs] = await Promise.all([priced, viewed]);
        priceOnly.push(priceMs);
        total.push(Math.max(priceMs, viewMs));
      });
      const round = (ms: number) => Math.round(ms * 10) / 10;
      return {
        samples: total.length,
        p50Ms: round(median(total)),
        p99Ms: round(percentile(total, 99)),
        priceP50Ms: round(median(priceOnly)),
        priceP99Ms: round(percentile(priceOnly, 99)),
      };
    }
  },
};

async function until(check: () => Promise<boolean>, timeoutMs = SAGA_TIMEOUT_MS): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`not complete within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

async function priceOf(priceUrl: string, ticketId: string): Promise<number | undefined> {
  const result = await graphql(priceUrl, PriceDocument, { variables: { ticketId } });
  return result.data?.price?.vipDiscount;
}

async function hasPrice(priceUrl: string, ticketId: string): Promise<boolean> {
  return (await priceOf(priceUrl, ticketId)) !== undefined;
}

async function boardShows(viewUrl: string, token: string, reservationId: string): Promise<boolean> {
  const result = await graphql(viewUrl, ReservationBoardDocument, { variables: { first: 5 }, token });
  return (result.data?.reservationBoard.edges ?? []).some(
    (edge) => edge.node.reservationId === reservationId && (edge.node.vipDiscount ?? 0) > 0,
  );
}
