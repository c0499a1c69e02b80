/**
 * Subscription fan-out: SUBSCRIBERS clients, each on a WebSocket of its own to our gateway, watch
 * one ticket (`ticketChanged { id status price { finalPrice } }`, so every event is completed
 * from ticket and price); then one reservation of it. Measured: the time from the
 * `reserveTicket` response to each subscriber's delivery of the RESERVED status (p50, p99), and
 * the CPU the system's processes (gateway, view, ticket, price) spent per delivered event.
 */
import { mustQuery } from '../../operations/client.ts';
import {
  ReserveTicketStatusDocument,
  TicketChangedDocument,
  type TicketChangedSubscription,
} from '../../operations/documents.generated.ts';
import {
  subscribeOverWebSocket,
  webSocketClient,
  type LiveSubscription,
} from '../../operations/subscription-client.ts';
import type { BenchEntry } from '../support/entry.ts';
import { forEachConcurrently } from '../support/for-each-concurrently.ts';
import { cpuMillisOf } from '../support/cpu.ts';
import { percentile } from '../support/load.ts';

const SUBSCRIBERS = 1000;
const DELIVERY_TIMEOUT_MS = 60_000;

export const subscriptionFanout: BenchEntry = {
  name: 'subscription-fanout',
  title: `Subscription fan-out: ${SUBSCRIBERS} subscribers of one ticket, one reservation`,
  async run({ stack, log }) {
    const view = stack.subgraphs.view;
    if (!view) throw new Error(`the view subgraph is not running (${stack.missing.view ?? 'unknown reason'})`);
    const [ticketId] = await stack.registerTickets(1);
    const clients = Array.from({ length: SUBSCRIBERS }, () => webSocketClient(stack.gateway.url));
    const subscriptions: LiveSubscription<TicketChangedSubscription>[] = [];
    try {
      log(`subscription-fanout: opening ${SUBSCRIBERS} WebSockets`);
      await forEachConcurrently(clients, 50, async (client) => {
        subscriptions.push(subscribeOverWebSocket(client, TicketChangedDocument, { ticketIds: [ticketId!] }));
      });
      await allOnTheStream(view.url, SUBSCRIBERS);

      const processes = stack.watched().filter((p) => !p.peer);
      const cpuBefore = processes.map((p) => cpuMillisOf(p.pid) ?? 0);
      const deliveredBefore = subscriptions.reduce((sum, s) => sum + s.results.length, 0);
      const deliveredAt = subscriptions.map((s) => reservedAt(s));
      await mustQuery(stack.gateway.url, ReserveTicketStatusDocument, {
        variables: { ticketId: ticketId! },
        token: stack.userTokens[0],
      });
      const respondedAt = performance.now();
      const latencies = (await Promise.all(deliveredAt)).map((at) => Math.max(0, at - respondedAt));
      // The price's VIP discount follows the hold; let its deliveries finish before counting CPU.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const cpuMs = processes.reduce((sum, p, i) => sum + ((cpuMillisOf(p.pid) ?? 0) - cpuBefore[i]!), 0);
      const delivered = subscriptions.reduce((sum, s) => sum + s.results.length, 0) - deliveredBefore;
      const p50Ms = Math.round(percentile(latencies, 50));
      const p99Ms = Math.round(percentile(latencies, 99));
      const cpuMsPerEvent = Math.round((cpuMs / Math.max(1, delivered)) * 1000) / 1000;
      log(`subscription-fanout: ${delivered} events delivered, p50 ${p50Ms} ms, p99 ${p99Ms} ms`);
      return {
        headlines: [
          {
            name: 'subscription_fanout_p50_ms',
            label: `reserveTicket → ${SUBSCRIBERS} subscribers, p50`,
            value: p50Ms,
            unit: 'ms',
          },
          {
            name: 'subscription_fanout_p99_ms',
            label: `reserveTicket → ${SUBSCRIBERS} subscribers, p99`,
            value: p99Ms,
            unit: 'ms',
          },
          {
            name: 'subscription_cpu_ms_per_event',
            label: 'CPU per delivered subscription event, across the system',
            value: cpuMsPerEvent,
            unit: 'ms',
          },
        ],
        rows: [
          {
            label: `ticketChanged with price, ${SUBSCRIBERS} WebSocket subscribers, one reservation`,
            p50Ms,
            p99Ms,
            note: `${delivered} events delivered; ${cpuMsPerEvent} ms CPU per delivered event (gateway, view, ticket, price together)`,
          },
        ],
        raw: {
          subscribers: SUBSCRIBERS,
          events_delivered: delivered,
          delivery_p50_ms: p50Ms,
          delivery_p99_ms: p99Ms,
          cpu_ms_per_delivered_event: cpuMsPerEvent,
        },
      };
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
    }
  },
};

/** When (performance.now()) this subscriber delivered the ticket as RESERVED. */
async function reservedAt(subscription: LiveSubscription<TicketChangedSubscription>): Promise<number> {
  for (;;) {
    const result = await subscription.next(DELIVERY_TIMEOUT_MS);
    if (result.data?.ticketChanged.status === 'RESERVED') return performance.now();
  }
}

/**
 * Every subscription is fed: the view reports as many subscriptions as there are subscribers
 * (graphql-ws does not acknowledge a subscribe, so its gauge is read).
 */
async function allOnTheStream(viewUrl: string, subscribers: number): Promise<void> {
  const metricsUrl = viewUrl.replace(/\/graphql$/, '/metrics');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = await (await fetch(metricsUrl)).text();
    const active = Number(/^view_subscriptions_active(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
    if (active >= subscribers) return;
    if (Date.now() > deadline) throw new Error(`only ${active} of ${subscribers} subscriptions reached the view`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
