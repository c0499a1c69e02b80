/**
 * What the circuit breaker buys while ticket hangs (accepts connections, never answers): the same
 * reserveTicket load against two reservation processes that differ only in their breaker — one
 * opens after 5 consecutive failures, the other never opens, so every call waits out the timeout.
 * Both answer TICKET_SERVICE_UNAVAILABLE; the figure is how much sooner the breaker says so.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { graphql } from '../../operations/client.ts';
import { ReserveTicketStatusDocument } from '../../operations/documents.generated.ts';
import { ratio, type BenchEntry, type MeasurementRow } from '../support/entry.ts';
import { median, percentile } from '../support/load.ts';
import { startService, type ServiceProcess } from '../../system/launcher.ts';

const TIMEOUT_MS = 1000;
const CONCURRENCY = 8;

/** A ticket that accepts connections and never answers. */
async function startHangingTicket(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Latencies of `reserveTicket` calls for `seconds`, `CONCURRENCY` at a time; every answer must be the fallback. */
async function sampleFallback(url: string, token: string, seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < until) {
      const started = performance.now();
      const result = await graphql(url, ReserveTicketStatusDocument, { variables: { ticketId: randomUUID() }, token });
      latencies.push(performance.now() - started);
      const code = result.errors?.[0]?.extensions?.code;
      if (code !== 'TICKET_SERVICE_UNAVAILABLE')
        throw new Error(`expected the fallback, got ${JSON.stringify(result)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return latencies;
}

function row(label: string, latencies: number[], seconds: number): MeasurementRow {
  return {
    label,
    requestsPerSecond: Math.round((latencies.length / seconds) * 10) / 10,
    p50Ms: Math.round(median(latencies) * 10) / 10,
    p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
  };
}

export const breakerVsTimeout: BenchEntry = {
  name: 'breaker-vs-timeout',
  title: `reserveTicket while ticket hangs: circuit breaker vs timeout only (${TIMEOUT_MS} ms timeout, ${CONCURRENCY} callers)`,
  async run({ stack, load, log }) {
    const hanging = await startHangingTicket();
    const started: ServiceProcess[] = [];
    try {
      const env = {
        ...stack.sharedEnv,
        DATABASE_URL: stack.databaseUrl('reservation'),
        TICKET_SERVICE_URL: hanging.url,
        TICKET_CALL_TIMEOUT_MS: String(TIMEOUT_MS),
        TICKET_CALL_MAX_ATTEMPTS: '1',
        TICKET_BULKHEAD_LIMIT: '64',
        TICKET_BULKHEAD_QUEUE: '64',
      };
      const [withBreaker, timeoutOnly] = await Promise.all([
        startService({
          name: 'reservation (breaker)',
          entry: 'subgraphs/reservation/main.ts',
          env: { ...env, TICKET_BREAKER_FAILURES: '5', TICKET_BREAKER_HALF_OPEN_AFTER_MS: '600000' },
        }),
        startService({
          name: 'reservation (timeout only)',
          entry: 'subgraphs/reservation/main.ts',
          env: { ...env, TICKET_BREAKER_FAILURES: '1000000' },
        }),
      ]);
      started.push(withBreaker, timeoutOnly);
      const token = stack.userTokens[0]!;
      const seconds = load.rounds * load.roundSeconds;
      // The first failures open the breaker; what is measured is the steady state after that.
      await sampleFallback(withBreaker.url, token, 2);
      log(`breaker-vs-timeout: ${seconds} s per side`);
      const breaker = row('breaker open: fails fast', await sampleFallback(withBreaker.url, token, seconds), seconds);
      const waiting = row(
        'no breaker: every call waits out the timeout',
        await sampleFallback(timeoutOnly.url, token, seconds),
        seconds,
      );
      return {
        headlines: [
          {
            name: 'breaker_vs_timeout_latency',
            label: 'reserveTicket p99 while ticket hangs: timeout only / breaker open',
            value: ratio(waiting.p99Ms!, breaker.p99Ms!),
            unit: 'ratio',
          },
        ],
        rows: [breaker, waiting],
        raw: {
          breaker_open_p50_ms: breaker.p50Ms!,
          breaker_open_p99_ms: breaker.p99Ms!,
          breaker_open_rps: breaker.requestsPerSecond!,
          timeout_only_p50_ms: waiting.p50Ms!,
          timeout_only_p99_ms: waiting.p99Ms!,
          timeout_only_rps: waiting.requestsPerSecond!,
        },
      };
    } finally {
      await Promise.all(started.map((service) => service.stop()));
      await hanging.close();
    }
  },
};
