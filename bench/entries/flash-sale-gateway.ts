/**
 * What bounds the flash sale's losers, measured: the sale's gateway on its own. The same users,
 * tokens of their own and schedule as entry flash-sale, sent to a gateway like the sale's (the
 * shipped rate limits) whose reservation subgraph is a bare process answering every press with
 * reservation's refusal at once: no database, no ticket, next to no CPU. Side by side:
 *
 * - each user on a connection of their own, as in the sale;
 * - over connections kept alive, as an ingress or load balancer in front of the gateway holds them
 *   (the users' own connections end at it).
 *
 * When the gateway alone answers the sale's presses slower than the target, the gateway bounds it,
 * whatever its subgraphs cost.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { cpuFigures, cpuPerOperation, cpuSnapshot, describeCpu } from '../support/cpu.ts';
import type { BenchEntry, EntryResult, MeasurementRow } from '../support/entry.ts';
import { median, percentile } from '../support/load.ts';
import {
  keptAliveConnections,
  onSchedule,
  refusedInTurns,
  reserve,
  startCannedServer,
  type CannedServer,
  usersTokens,
} from '../support/presses.ts';
import type { Stack } from '../support/stack.ts';
import { ARRIVAL_S, SEATS, startSaleGateway, USERS, WARM_UP_CONCURRENCY, WARM_UP_USERS } from './flash-sale.ts';

/** Reservation's answer to a loser, as the gateway receives it: a refusal of the ticket asked for. */
const REFUSAL_OF_REQUEST = `
  const { ticketId } = JSON.parse(text).variables;
  return {
    data: null,
    errors: [{
      message: 'ticket ' + ticketId + ' is not available',
      path: ['reserveTicket'],
      extensions: { code: 'TICKET_NOT_AVAILABLE', ticketId },
    }],
  };`;

interface Variant {
  key: string;
  label: string;
  agent: () => http.Agent | false;
}

const VARIANTS: Variant[] = [
  { key: 'new_connection', label: 'each user on a new connection, as in the sale', agent: () => false },
  {
    key: 'kept_alive',
    label: 'over connections kept alive, as an ingress in front of the gateway holds them',
    agent: keptAliveConnections,
  },
];

export const flashSaleGateway: BenchEntry = {
  name: 'flash-sale-gateway',
  title: `The flash sale's gateway alone: the sale's ${USERS} presses with reservation answering each at once`,
  async run({ stack, log }): Promise<EntryResult> {
    const reservation = await startCannedServer(REFUSAL_OF_REQUEST);
    try {
      const rows: MeasurementRow[] = [];
      const raw: Record<string, number | null> = {};
      for (const variant of VARIANTS) {
        log(`flash-sale-gateway: ${variant.label}`);
        const measured = await saleOnTheGatewayAlone(stack, reservation, variant);
        rows.push({
          label: variant.label,
          p50Ms: measured.p50,
          p99Ms: measured.p99,
          cpuMsPerRequest: measured.cpu.of.gateway,
          note:
            `${measured.refused} of ${USERS} told TICKET_NOT_AVAILABLE` +
            (measured.other.length > 0 ? `, others: ${measured.other.slice(0, 3).join(', ')}` : '') +
            `; ${describeCpu(measured.cpu, 'press')}`,
        });
        Object.assign(raw, {
          [`flash_sale_gateway_alone_${variant.key}_p50_ms`]: measured.p50,
          [`flash_sale_gateway_alone_${variant.key}_p99_ms`]: measured.p99,
          [`flash_sale_gateway_alone_${variant.key}_other_answers`]: measured.other.length,
          ...cpuFigures(`flash_sale_gateway_alone_${variant.key}_per_press`, measured.cpu),
        });
      }
      return {
        headlines: [],
        rows,
        raw,
        notes: [
          `The sale's schedule (${USERS} users, each with a token of their own, their first presses spread evenly ` +
            `over ${ARRIVAL_S} s, on ${SEATS} seats) to a gateway of its own with the shipped rate limits, started ` +
            `for each row and warmed up as the sale's is (${WARM_UP_USERS} other users, ${WARM_UP_CONCURRENCY} at ` +
            `a time). Its reservation subgraph is a bare node:http process that answers every press with ` +
            `reservation's refusal; the other subgraphs are the system's (the operation reaches none of them).`,
          `CPU is the kernel's account from the first press to the last answer; the canned reservation is shown, ` +
            `not summed into the system's.`,
        ],
      };
    } finally {
      reservation.stop();
    }
  },
};

async function saleOnTheGatewayAlone(stack: Stack, reservation: CannedServer, variant: Variant) {
  const gateway = await startSaleGateway(stack, `gateway-flash-sale-${variant.key}`, {
    RESERVATION_URL: reservation.url.toString(),
  });
  const agent = variant.agent();
  try {
    const url = new URL(gateway.url);
    const runId = randomUUID().slice(0, 8);
    await refusedInTurns(url, await usersTokens(stack.auth, `warm-up-${runId}`, WARM_UP_USERS), randomUUID(), {
      concurrency: WARM_UP_CONCURRENCY,
      agent,
    });
    const tokens = await usersTokens(stack.auth, `flash-gateway-${runId}`, USERS);
    const seats = Array.from({ length: SEATS }, () => randomUUID());
    const watched = [
      { name: 'gateway', pid: gateway.pid },
      { name: 'canned reservation', pid: reservation.pid, peer: true },
    ];
    const before = cpuSnapshot(watched);
    const answers = await Promise.all(
      onSchedule(tokens, ARRIVAL_S, async (token, user) => {
        const sentAt = performance.now();
        const { code } = await reserve(url, token, seats[user % SEATS]!, agent);
        return { code, ms: performance.now() - sentAt };
      }),
    );
    const cpu = cpuPerOperation(before, cpuSnapshot(watched), USERS);
    const latencies = answers.map((answer) => answer.ms);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      p50: round(median(latencies)),
      p99: round(percentile(latencies, 99)),
      refused: answers.filter((answer) => answer.code === 'TICKET_NOT_AVAILABLE').length,
      other: answers.filter((answer) => answer.code !== 'TICKET_NOT_AVAILABLE').map((answer) => String(answer.code)),
      cpu,
    };
  } finally {
    if (agent) agent.destroy();
    await gateway.stop();
  }
}
