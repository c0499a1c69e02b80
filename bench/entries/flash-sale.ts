/**
 * A flash sale: a show of SEATS tickets opens and USERS distinct users (each with a token of their
 * own, half of them VIP) press "reserve" within ARRIVAL_S seconds, forty per seat, each once,
 * each on a connection of their own, through a gateway with the shipped per-user rate limits.
 *
 * Reported: the winners (exactly one per seat, checked in the reservation and ticket databases
 * against the answers), how long until the last seat was taken, latency of winners and losers,
 * every answer other than a win or TICKET_NOT_AVAILABLE (by code), and how long after the sale
 * price and the view's boards agree with it (polled straight at the subgraphs).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { graphql, type GraphQLResult } from '../../operations/client.ts';
import {
  PriceDocument,
  ReservationBoardDocument,
  TicketBoardDocument,
  type TicketBoardQuery,
} from '../../operations/documents.generated.ts';
import { cpuFigures, cpuPerOperation, cpuSnapshot, describeCpu, type CpuPerOperation } from '../support/cpu.ts';
import type { BenchEntry, EntryResult } from '../support/entry.ts';
import { median, percentile } from '../support/load.ts';
import {
  onSchedule,
  refusedInTurns,
  reserve,
  REQUEST_TIMEOUT_MS,
  startCannedServer,
  type PressAnswer,
  usersTokens,
} from '../support/presses.ts';
import { untilSettled } from '../support/settled.ts';
import { waitFor, type Stack } from '../support/stack.ts';
import { queryOnce } from '../../system/postgres.ts';

export const USERS = 2000;
export const SEATS = 50;
/** The users' first presses are spread evenly over this long. */
export const ARRIVAL_S = 2;
const AGREE_POLL_MS = 50;
/**
 * Before the clock starts, the sale's gateway (started for it) serves a sale of its own: this many
 * warm-up users, each with their own token and connection, press on one seat already taken.
 */
export const WARM_UP_USERS = 1000;
/** Warm-up presses in flight at once. */
export const WARM_UP_CONCURRENCY = 16;
const AGREE_TIMEOUT_MS = 120_000;
const SETTLE_TIMEOUT_MS = 60_000;

interface Attempt extends PressAnswer {
  user: number;
  ticketId: string;
  sentAt: number;
  ms: number;
}

const isVip = (user: number) => user % 2 === 0;

export const flashSale: BenchEntry = {
  name: 'flash-sale',
  title: `Flash sale: ${USERS} users, each with their own token, reserve ${SEATS} seats of one show within ${ARRIVAL_S} s`,
  async run({ stack, log }): Promise<EntryResult> {
    const runId = Date.now().toString(36);
    const seats = await stack.registerTickets(SEATS);
    const priceUrl = stack.subgraphs.price!.url;
    await waitFor('the show’s seats priced', 60_000, async () =>
      (await Promise.all(seats.map((id) => priceOf(priceUrl, id)))).every((price) => price !== undefined),
    );
    const board = stack.subgraphs.view ? await locateOnBoard(stack.subgraphs.view.url, seats) : undefined;
    const tokens = await usersTokens(stack.auth, `flash-${runId}`, USERS, (user) => (isVip(user) ? 'VIP' : 'NORMAL'));
    const gateway = await startSaleGateway(stack, 'gateway-flash-sale');
    try {
      const watched = [
        { name: 'gateway', pid: gateway.pid },
        ...stack.watched().filter((process) => process.name !== 'gateway'),
      ];
      const url = new URL(gateway.url);
      await warmUp(url, stack, runId);
      await untilSettled(stack, SETTLE_TIMEOUT_MS);
      log(`flash-sale: ${USERS} users over ${ARRIVAL_S} s, ${USERS / SEATS} per seat`);
      const cpuBefore = cpuSnapshot(watched);
      const opened = performance.now();
      const winners: Attempt[] = [];
      let soldOut: () => void = () => {};
      const soldOutSignal = new Promise<void>((resolve) => (soldOut = resolve));
      const attempts = Promise.all(
        onSchedule(tokens, ARRIVAL_S, async (token, user): Promise<Attempt> => {
          const ticketId = seats[user % SEATS]!;
          const sentAt = performance.now();
          const answer = await reserve(url, token, ticketId);
          const attempt = { user, ticketId, sentAt: sentAt - opened, ms: performance.now() - sentAt, ...answer };
          if (attempt.reservationId) {
            winners.push(attempt);
            if (winners.length === SEATS) soldOut();
          }
          return attempt;
        }),
      );
      // Price and the boards are watched from the moment the last seat is taken (or every answer is in).
      const agreed = Promise.race([soldOutSignal, attempts]).then(() =>
        untilPriceAndBoardsAgree(stack, [...winners], tokens, board),
      );
      const answered = await attempts;
      const cpuAfterSale = cpuSnapshot(watched);
      const agreedAtMs = (await agreed) - opened;
      const losers = answered.filter((attempt) => attempt.code === 'TICKET_NOT_AVAILABLE');
      const unexpected = answered.filter(
        (attempt) => !attempt.reservationId && attempt.code !== 'TICKET_NOT_AVAILABLE',
      );
      const soldOutMs =
        new Set(winners.map((w) => w.ticketId)).size === SEATS
          ? Math.max(...winners.map((winner) => winner.sentAt + winner.ms))
          : undefined;
      const untold = await verifyOneWinnerPerSeat(stack, seats, winners);
      const floor = await pressesOnABareServer(tokens, log);
      const agreedAt = soldOutMs === undefined ? undefined : Math.max(0, agreedAtMs - soldOutMs);
      const cpu = cpuPerOperation(cpuBefore, cpuAfterSale, USERS);
      const offered = offeredLoad(cpu);
      const round = (ms: number) => Math.round(ms * 10) / 10;
      const latencies = (group: Attempt[]) => ({
        p50: round(median(group.map((a) => a.ms))),
        p99: round(
          percentile(
            group.map((a) => a.ms),
            99,
          ),
        ),
      });
      const won = latencies(winners);
      const lost = latencies(losers);
      const codes = countBy(unexpected.map((attempt) => attempt.code ?? 'unknown'));
      const unexpectedNote =
        unexpected.length === 0
          ? 'no answer other than a seat or TICKET_NOT_AVAILABLE'
          : `${unexpected.length} other answers: ${Object.entries(codes)
              .map(([code, count]) => `${code} × ${count}`)
              .join(', ')}; first: ${unexpected[0]!.code}`;
      return {
        headlines: [
          {
            name: 'flash_sale_winners',
            label: `flash sale: winners, one per seat (checked in the databases), of ${SEATS} seats`,
            value: winners.length,
            unit: 'count',
          },
          {
            name: 'flash_sale_sold_out_s',
            label: 'flash sale: from the first press until the last seat was taken',
            value: soldOutMs === undefined ? null : Math.round(soldOutMs / 10) / 100,
            unit: 's',
            ...(soldOutMs === undefined
              ? {
                  unavailable:
                    `no success answer for ${SEATS - winners.length} of ${SEATS} seats ` +
                    `(${untold} of them taken by reservations never told to their users)`,
                }
              : {}),
          },
          {
            name: 'flash_sale_loser_p99_ms',
            label: 'flash sale: p99 of the losers’ TICKET_NOT_AVAILABLE answers',
            value: losers.length > 0 ? lost.p99 : null,
            unit: 'ms',
            ...(losers.length > 0 ? {} : { unavailable: 'no loser was told TICKET_NOT_AVAILABLE' }),
          },
          {
            name: 'flash_sale_unexpected_errors',
            label: 'flash sale: answers other than a seat or TICKET_NOT_AVAILABLE',
            value: unexpected.length,
            unit: 'count',
          },
        ],
        rows: [
          {
            label: `winners (${winners.length})`,
            p50Ms: won.p50,
            p99Ms: won.p99,
            note:
              soldOutMs === undefined ? 'not sold out' : `sold out ${round(soldOutMs / 1000)} s after the first press`,
          },
          { label: `losers told TICKET_NOT_AVAILABLE (${losers.length})`, p50Ms: lost.p50, p99Ms: lost.p99 },
          {
            label: `other answers (${unexpected.length})`,
            ...(unexpected.length > 0 ? latencies(unexpected) : {}),
            note: unexpectedNote,
          },
          {
            label: `floor: the same ${USERS} presses answered by a bare Node HTTP server`,
            p50Ms: floor.p50,
            p99Ms: floor.p99,
            cpuMsPerRequest: floor.serverMs,
            note:
              `a canned TICKET_NOT_AVAILABLE from node:http alone, no GraphQL: ${floor.serverMs} ms of its CPU and ` +
              `${floor.loadGeneratorMs} ms of the load generator's per press; machine ${floor.busyPercent} % busy`,
          },
          {
            label: 'price and the boards agree with the sale',
            note:
              agreedAt === undefined
                ? `agreed ${round(agreedAtMs / 1000)} s after the first press`
                : `${round(agreedAt / 1000)} s after the last seat was taken (polled every ${AGREE_POLL_MS} ms)`,
          },
        ],
        raw: {
          flash_sale_users: USERS,
          flash_sale_seats: SEATS,
          flash_sale_arrival_s: ARRIVAL_S,
          flash_sale_winners: winners.length,
          flash_sale_losers: losers.length,
          flash_sale_reservations_never_told: untold,
          flash_sale_unexpected_errors: unexpected.length,
          ...Object.fromEntries(Object.entries(codes).map(([code, count]) => [`flash_sale_errors_${code}`, count])),
          flash_sale_sold_out_s: soldOutMs === undefined ? null : soldOutMs / 1000,
          flash_sale_winner_p50_ms: won.p50,
          flash_sale_winner_p99_ms: won.p99,
          flash_sale_loser_p50_ms: lost.p50,
          flash_sale_floor_p50_ms: floor.p50,
          flash_sale_floor_p99_ms: floor.p99,
          flash_sale_floor_server_cpu_ms_per_press: floor.serverMs,
          flash_sale_floor_load_generator_cpu_ms_per_press: floor.loadGeneratorMs,
          flash_sale_loser_p99_ms: lost.p99,
          flash_sale_agree_after_sold_out_s: agreedAt === undefined ? null : agreedAt / 1000,
          ...cpuFigures('flash_sale_per_attempt', cpu),
          flash_sale_offered_cores_machine: offered?.machineCores ?? null,
          flash_sale_offered_cores_gateway: offered?.gatewayCores ?? null,
        },
        notes: [
          `Each user sends one reserveTicket on a new connection; the ${USERS} first presses are spread evenly over ` +
            `${ARRIVAL_S} s, ${USERS / SEATS} users per seat, users alternately VIP and NORMAL. Before the clock ` +
            `starts, the sale's gateway (started for it) is warmed up as a gateway that has been serving would be: ` +
            `${WARM_UP_USERS} other users (tokens of their own, none of the sale's), ${WARM_UP_CONCURRENCY} at a ` +
            `time, each on a new connection, are refused a seat of another show that one of them took.`,
          `Rate limits as shipped (per user: RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST defaults) on a gateway of ` +
            `its own: one request per user is far inside them, so none is refused by them; a deployment facing a ` +
            `flash sale from behind a shared address (a mobile carrier's NAT) keeps limiting per user, not per address.`,
          `Winners checked against the databases: at most one CONFIRMED reservation per seat, each winner's ` +
            `among them, its seat RESERVED and held by it. ${untold} seats were taken by reservations whose users ` +
            `were never told (no answer within ${REQUEST_TIMEOUT_MS / 1000} s, or a broken connection): counted ` +
            `among the unexpected answers, not as winners.`,
          `${describeCpu(cpu, 'attempt')} (from the first press to the last answer).`,
          ...(offered ? [describeOfferedLoad(offered)] : []),
        ],
      };
    } finally {
      await gateway.stop();
    }
  },
};

/**
 * The CPU the sale asks for while it lasts: what a press cost (every process, the load generator
 * and the rest of the machine, measured in this run) times the presses per second, against the
 * machine's cores; and the gateway's share alone, against the one core a Node process can use.
 * Where either asks for more than it has, presses queue for as long as the sale lasts, and the
 * losers' latency is that queue, whatever the code on their path does.
 */
function offeredLoad(cpu: CpuPerOperation) {
  const gatewayMs = cpu.of.gateway;
  if (gatewayMs === undefined || cpu.restOfMachine === undefined) return undefined;
  const pressesPerS = USERS / ARRIVAL_S;
  const perPressMs = cpu.system + cpu.loadGenerator + cpu.restOfMachine;
  /** CPU seconds asked for per second, to a tenth of a core. */
  const cores = (ms: number) => Math.round((ms / 1000) * pressesPerS * 10) / 10;
  return {
    pressesPerS,
    perPressMs,
    machineCores: cores(perPressMs),
    cpus: os.availableParallelism(),
    gatewayMs,
    gatewayCores: cores(gatewayMs),
  };
}

function describeOfferedLoad(offered: NonNullable<ReturnType<typeof offeredLoad>>): string {
  const over = (asked: number, has: number) => (asked > has ? 'more than it has: presses queue' : 'within it');
  return (
    `What the sale asks of the machine: ${offered.perPressMs.toFixed(1)} ms of CPU per press × ` +
    `${offered.pressesPerS} presses/s = ${offered.machineCores} of its ${offered.cpus} cores ` +
    `(${over(offered.machineCores, offered.cpus)}); of the gateway, one Node process: ` +
    `${offered.gatewayMs.toFixed(1)} ms × ${offered.pressesPerS}/s = ${offered.gatewayCores} of the one core it ` +
    `can use (${over(offered.gatewayCores, 1)}).`
  );
}

/**
 * A gateway of the sale's own, with the shipped rate limits (per user, and per address for
 * anonymous callers): each user sends one request, so a limit per user never refuses one here.
 * The stack's own gateway has its limits lifted for the throughput entries, which all come from a
 * few users. `env` is added to the stack's gateway environment.
 */
export function startSaleGateway(stack: Stack, name: string, env: Record<string, string> = {}) {
  const { RATE_LIMIT_PER_SECOND: _rate, RATE_LIMIT_BURST: _burst, ...shippedLimits } = stack.gatewayEnv;
  return stack.startService({ name, entry: 'gateway/main.ts', env: { ...shippedLimits, ...env } });
}

/** What the server of the floor answers to every press. */
const CANNED_REFUSAL = {
  data: null,
  errors: [{ message: 'ticket is not available', extensions: { code: 'TICKET_NOT_AVAILABLE' } }],
};

/**
 * The floor under the sale's latency on this machine: the same presses (the same tokens, schedule
 * and load generator, each on a new connection) answered by a bare node:http server in a process
 * of its own that reads each body and sends a canned refusal — no GraphQL, no second hop — warmed
 * up as the sale's gateway is. What a press costs the system beyond this is what its gateway and
 * subgraph add.
 */
async function pressesOnABareServer(tokens: string[], log: (line: string) => void) {
  const server = await startCannedServer(`return ${JSON.stringify(CANNED_REFUSAL)};`);
  try {
    log(`flash-sale: the floor, the same ${tokens.length} presses on a bare HTTP server`);
    await refusedInTurns(server.url, tokens.slice(0, WARM_UP_USERS), randomUUID(), {
      concurrency: WARM_UP_CONCURRENCY,
    });
    const watched = [{ name: 'bare server', pid: server.pid }];
    const before = cpuSnapshot(watched);
    const latencies = await Promise.all(
      onSchedule(tokens, ARRIVAL_S, async (token) => {
        const sentAt = performance.now();
        await reserve(server.url, token, randomUUID());
        return performance.now() - sentAt;
      }),
    );
    const cpu = cpuPerOperation(before, cpuSnapshot(watched), tokens.length);
    const round = (ms: number) => Math.round(ms * 100) / 100;
    return {
      p50: round(median(latencies)),
      p99: round(percentile(latencies, 99)),
      serverMs: round(cpu.of['bare server'] ?? Number.NaN),
      loadGeneratorMs: round(cpu.loadGenerator),
      busyPercent: Math.round((cpu.machineBusyShare ?? Number.NaN) * 100),
    };
  } finally {
    server.stop();
  }
}

/**
 * A warm-up sale thrown away, on a ticket of its own and by users of its own. The sale's gateway
 * starts cold (modules not yet loaded, nothing compiled by V8's optimising tier), and a gateway
 * facing a real sale has been serving: with 20 presses as its only warm-up, the sale's gateway
 * spent 2.5–3.1 ms of CPU per press and reservation 2.1–2.5, where warmed by this they spent
 * 1.5–2.2 and 1.2–1.8 (entry flash-sale run alone, three runs of each, interleaved). Nothing of
 * the sale's is cached by it: not its users' tokens, rate limits or seats.
 */
async function warmUp(url: URL, stack: Stack, runId: string): Promise<void> {
  const [ticketId] = await stack.registerTickets(1);
  const tokens = await usersTokens(stack.auth, `flash-${runId}-warm-up`, WARM_UP_USERS + 1);
  const taken = await reserve(url, tokens[0]!, ticketId!);
  if (!taken.reservationId) throw new Error(`flash-sale warm-up: the first press got ${taken.code}, not the seat`);
  await refusedInTurns(url, tokens.slice(1), ticketId!, { concurrency: WARM_UP_CONCURRENCY });
}

/**
 * One winner per seat, checked in the databases: at most one CONFIRMED reservation per seat; every
 * winner's reservation among them, on the seat it asked for, and the seat RESERVED and held by it.
 * Resolves with the reservations no user was told of (an answer that never came: the user gave up
 * waiting, the connection broke), which are not a breach but are reported.
 */
async function verifyOneWinnerPerSeat(stack: Stack, seats: string[], winners: Attempt[]): Promise<number> {
  const problems: string[] = [];
  if (new Set(winners.map((winner) => winner.ticketId)).size !== winners.length)
    problems.push('a seat was won by more than one user');
  const reservations = await queryOnce<{ id: string; ticket_id: string }>(
    stack.databaseUrl('reservation'),
    `SELECT id::text, ticket_id::text FROM reservation WHERE ticket_id = ANY($1::uuid[]) AND status = 'CONFIRMED'`,
    [seats],
  );
  if (new Set(reservations.map((r) => r.ticket_id)).size !== reservations.length)
    problems.push('a seat has more than one CONFIRMED reservation');
  const confirmed = new Map(reservations.map((reservation) => [reservation.id, reservation.ticket_id]));
  const held = new Map(
    (
      await queryOnce<{ id: string; held_by: string | null; state: string }>(
        stack.databaseUrl('ticket'),
        `SELECT id::text, held_by::text, state::text FROM ticket WHERE id = ANY($1::uuid[])`,
        [seats],
      )
    ).map((seat) => [seat.id, seat]),
  );
  for (const winner of winners) {
    if (confirmed.get(winner.reservationId!) !== winner.ticketId)
      problems.push(`winner ${winner.user}'s reservation ${winner.reservationId} is not CONFIRMED on its seat`);
    const seat = held.get(winner.ticketId);
    if (seat?.state !== 'RESERVED' || seat.held_by !== winner.reservationId)
      problems.push(
        `seat ${winner.ticketId} is ${seat?.state}, held by ${seat?.held_by}, not by ${winner.reservationId}`,
      );
  }
  if (problems.length > 0) throw new Error(`flash sale broke one winner per seat: ${problems.join('; ')}`);
  return reservations.length - winners.length;
}

/** Where the show's seats are on the view's ticket board: the cursor just before the first of them. */
async function locateOnBoard(viewUrl: string, seats: string[]): Promise<{ after: string | null }> {
  const wanted = new Set(seats);
  let found: { after: string | null } | undefined;
  await waitFor('the show’s seats on the view’s ticket board', 60_000, async () => {
    let after: string | null = null;
    let seen = 0;
    for (;;) {
      const page: GraphQLResult<TicketBoardQuery> = await graphql(viewUrl, TicketBoardDocument, {
        variables: { first: 100, after },
      });
      const edges = page.data?.ticketBoard.edges ?? [];
      for (const edge of edges) {
        if (wanted.has(edge.node.ticketId)) {
          if (seen === 0) found = { after };
          seen += 1;
        }
        after = edge.cursor;
      }
      if (!page.data?.ticketBoard.pageInfo.hasNextPage) return seen === seats.length;
    }
  });
  return found!;
}

/**
 * Polls price (each seat's VIP discount: non-zero when a VIP won it) and the view (the ticket board
 * shows the seat RESERVED at price's amounts; each winner's reservation board shows the reservation
 * at that price) until all agree; resolves with the moment (performance.now()) the last one agreed.
 * Price is read in its database, one statement a poll: fifty `price` queries every 50 ms would
 * load price while it is still working off the sale. The view is read through its API, the board
 * once a poll and a winner's reservation board only once the seat's entry agrees.
 */
async function untilPriceAndBoardsAgree(
  stack: Stack,
  winners: Attempt[],
  tokens: string[],
  board: { after: string | null } | undefined,
): Promise<number> {
  const viewUrl = stack.subgraphs.view?.url;
  const pending = new Set(winners);
  const agreedAt: number[] = [];
  const started = performance.now();
  const deadline = started + AGREE_TIMEOUT_MS;
  const priceDb = new pg.Client({ connectionString: stack.databaseUrl('price') });
  await priceDb.connect();
  try {
    while (pending.size > 0) {
      if (performance.now() > deadline)
        throw new Error(`price and the boards still disagree on ${pending.size} seats after ${AGREE_TIMEOUT_MS} ms`);
      const { rows } = await priceDb.query<{ ticket_id: string; vip_discount: number; final_price: number }>(
        'SELECT ticket_id::text, vip_discount, final_price FROM price WHERE ticket_id = ANY($1::uuid[])',
        [[...pending].map((winner) => winner.ticketId)],
      );
      const prices = new Map(rows.map((row) => [row.ticket_id, row]));
      const entries = viewUrl ? await ticketBoardEntries(viewUrl, board?.after ?? null) : undefined;
      await Promise.all(
        [...pending].map(async (winner) => {
          const price = prices.get(winner.ticketId);
          if (!price || price.vip_discount > 0 !== isVip(winner.user)) return;
          if (viewUrl) {
            const entry = entries!.get(winner.ticketId);
            if (
              entry?.status !== 'RESERVED' ||
              entry.vipDiscount !== price.vip_discount ||
              entry.finalPrice !== price.final_price
            )
              return;
            const reservations = await graphql(viewUrl, ReservationBoardDocument, {
              variables: { userId: null, first: 5, after: null },
              token: tokens[winner.user],
            });
            const mine = reservations.data?.reservationBoard.edges.find(
              (edge) => edge.node.reservationId === winner.reservationId,
            );
            if (mine?.node.finalPrice !== price.final_price || mine.node.vipDiscount !== price.vip_discount) return;
          }
          pending.delete(winner);
          agreedAt.push(performance.now());
        }),
      );
      if (pending.size > 0) await sleep(AGREE_POLL_MS);
    }
  } finally {
    await priceDb.end();
  }
  return Math.max(started, ...agreedAt);
}

async function ticketBoardEntries(viewUrl: string, after: string | null) {
  const page = await graphql(viewUrl, TicketBoardDocument, { variables: { first: 100, after } });
  return new Map((page.data?.ticketBoard.edges ?? []).map((edge) => [edge.node.ticketId, edge.node]));
}

async function priceOf(priceUrl: string, ticketId: string) {
  const result = await graphql(priceUrl, PriceDocument, { variables: { ticketId } });
  return result.data?.price ?? undefined;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
