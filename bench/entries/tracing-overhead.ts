/**
 * What tracing costs. The stack runs with tracing off (no `OTEL_*`: no SDK is loaded); beside it,
 * two more copies of the system — every subgraph and a gateway, on the same databases and stream —
 * export every span they record over OTLP/HTTP (protobuf, the default) to a sink in this process,
 * one sampling 10 % of traces and one 100 % (parentbased_traceidratio). Each serves a federated
 * read (`myReservations` → ticket → price) and reservations of distinct tickets (hold, outbox,
 * events to price and the view), rounds interleaved with the untraced stack.
 *
 * Tracing off is also timed on its own: what the code on the event path does per event when no
 * SDK is loaded (the envelope's trace context looked up, the publish and handling spans asked of
 * the API's no-op), against the CPU a reservation costs the whole system.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { graphql, requestBody } from '../../operations/client.ts';
import {
  MyReservationsJoinedDocument,
  PriceDocument,
  ReserveTicketStatusDocument,
} from '../../operations/documents.generated.ts';
import { inProcessSpan, tracedPublish, withActiveTraceContext } from '../../platform/events/trace-context.ts';
import { newEvent } from '../../ticketing/events/envelope.ts';
import { type ServiceProcess } from '../../system/launcher.ts';
import { freePort } from '../../system/listening.ts';
import { SERVICE_NAMES, serviceSpec, type ServiceName, type SystemLayout } from '../../system/topology.ts';
import { ratio, type BenchEntry, type MeasurementRow } from '../support/entry.ts';
import { describeCpu } from '../support/cpu.ts';
import { measure, runRound, summarise, type RoundResult } from '../support/load.ts';
import type { Stack } from '../support/stack.ts';
import { waitFor } from '../support/stack.ts';

/** A reservation's saga publishes three events (held, reserved, discount applied) and handles four. */
const EVENT_HOPS_PER_RESERVATION = 4;

const SAMPLING = [
  { name: 'sampled_10', label: 'tracing on, 10 % sampled', ratio: '0.1' },
  { name: 'sampled_100', label: 'tracing on, 100 % sampled', ratio: '1' },
] as const;

interface Variant {
  name: string;
  label: string;
  gateway: ServiceProcess;
  /** Every process of this copy, for CPU per request. */
  processes: { name: string; pid: number }[];
}

/** An OTLP/HTTP endpoint that takes every export and keeps only the count of bytes. */
async function startSpanSink(): Promise<{ url: string; bytes(): number; stop(): Promise<void> }> {
  let bytes = 0;
  const server = http.createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bytes: () => bytes,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One more copy of the system on the stack's databases and stream, with `otelEnv` in every process. */
async function startTracedCopy(
  stack: Stack,
  name: string,
  otelEnv: Record<string, string>,
  dataDir: string,
): Promise<{ processes: Record<ServiceName, ServiceProcess> }> {
  const ports = Object.fromEntries(
    await Promise.all(SERVICE_NAMES.map(async (service) => [service, await freePort()] as const)),
  ) as Record<ServiceName, number>;
  // The gateway's settings as the stack runs it, its subgraphs this copy's.
  const gatewaySettings = Object.fromEntries(
    Object.entries(stack.gatewayEnv).filter(([key]) => !key.endsWith('_URL') && key !== 'PORT'),
  );
  const layout: SystemLayout = {
    ports,
    sharedEnv: { ...stack.sharedEnv, ...otelEnv },
    databaseUrls: {
      ticket: stack.databaseUrl('ticket'),
      reservation: stack.databaseUrl('reservation'),
      price: stack.databaseUrl('price'),
    },
    // Each copy's view keeps a store of its own.
    dataDir: path.join(dataDir, name),
    overrides: { view: { VIEW_INSTANCE_ID: `bench_${name}_${randomUUID().slice(0, 8)}` }, gateway: gatewaySettings },
  };
  const processes = {} as Record<ServiceName, ServiceProcess>;
  for (const service of ['ticket', 'reservation', 'price', 'view', 'gateway'] as const) {
    processes[service] = await stack.startService({ ...serviceSpec(service, layout), name: `${service}-${name}` });
  }
  return { processes };
}

/**
 * Nanoseconds per event that the event path's tracing calls add with no SDK loaded: a publish and
 * a handling wrapped as the relay and a consumer wrap them, less the same work unwrapped.
 */
async function offPathNanosPerEvent(): Promise<number> {
  const event = newEvent(
    'TicketReserved',
    { ticketId: randomUUID(), reservationId: randomUUID(), userId: 'bench' },
    { userGrade: 'VIP' },
    { correlationId: 'bench', causationId: null },
  );
  const message = { subject: 'bench.reservation.reserved', event };
  const nothing = async () => undefined;
  const wrapped = async () => {
    await tracedPublish(message.subject, withActiveTraceContext(event), nothing);
    await inProcessSpan(message, {}, nothing);
  };
  const bare = async () => {
    await nothing();
    await nothing();
  };
  const nanosPerCall = async (work: () => Promise<void>) => {
    for (let i = 0; i < 10_000; i++) await work();
    const iterations = 200_000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await work();
    return Number(process.hrtime.bigint() - started) / iterations;
  };
  return Math.max(0, (await nanosPerCall(wrapped)) - (await nanosPerCall(bare)));
}

export const tracingOverhead: BenchEntry = {
  name: 'tracing-overhead',
  title: 'Tracing off, on at 10 % and at 100 % sampling (every process exporting over OTLP/HTTP)',
  async run({ stack, load, log }) {
    const offNanos = await offPathNanosPerEvent();
    const sink = await startSpanSink();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-tracing-'));
    const started: ServiceProcess[] = [];
    try {
      const off: Variant = {
        name: 'off',
        label: 'tracing off',
        gateway: stack.gateway,
        processes: stack.watched(),
      };
      const variants: Variant[] = [off];
      for (const sampling of SAMPLING) {
        log(`tracing-overhead: starting the system ${sampling.label}`);
        const { processes } = await startTracedCopy(
          stack,
          sampling.name,
          {
            OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
            OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
            OTEL_TRACES_SAMPLER_ARG: sampling.ratio,
          },
          dataDir,
        );
        started.push(...Object.values(processes));
        variants.push({
          name: sampling.name,
          label: sampling.label,
          gateway: processes.gateway,
          processes: Object.entries(processes).map(([name, service]) => ({ name, pid: service.pid })),
        });
      }

      const tokens = stack.readers.map((reader) => reader.token);
      const reads = await measure(
        variants.map((variant) => ({
          label: `federated read, ${variant.label}`,
          url: variant.gateway.url,
          pid: variant.gateway.pid,
          body: requestBody(MyReservationsJoinedDocument),
          tokens,
        })),
        load,
      );

      // Reservations of distinct tickets: each round takes tickets registered (and priced) beforehand.
      const perRound = Math.max(load.connections * 20, 200);
      const pools: string[][][] = [];
      for (let round = 0; round < load.rounds; round++) {
        pools.push(await Promise.all(variants.map(() => stack.registerTickets(perRound))));
      }
      await waitFor('price to have priced the tickets to reserve', 180_000, async () => {
        const last = pools.at(-1)!.at(-1)!.at(-1)!;
        const result = await graphql(stack.subgraphs.price!.url, PriceDocument, { variables: { ticketId: last } });
        return !!result.data?.price;
      });
      const reservationRounds = variants.map(() => [] as RoundResult[]);
      for (const pool of pools) {
        for (const [index, variant] of variants.entries()) {
          const ticketIds = pool[index]!;
          let next = 0;
          reservationRounds[index]!.push(
            await runRound(
              {
                label: `reserveTicket, ${variant.label}`,
                url: variant.gateway.url,
                pid: variant.gateway.pid,
                body: () => requestBody(ReserveTicketStatusDocument, { ticketId: ticketIds[next++]! }),
                tokens: stack.userTokens,
              },
              { seconds: 120, connections: load.connections, amount: ticketIds.length, watch: variant.processes },
            ),
          );
        }
      }
      const reservations = variants.map((variant, index) =>
        summarise(`reserveTicket, ${variant.label}`, reservationRounds[index]!),
      );

      const [readOff, ...readOn] = reads;
      const [reserveOff, ...reserveOn] = reservations;
      const systemCpuPerReservationMs = reserveOff!.cpu?.system ?? 0;
      const offShare =
        systemCpuPerReservationMs > 0
          ? (offNanos * EVENT_HOPS_PER_RESERVATION) / (systemCpuPerReservationMs * 1e6)
          : null;
      const headlines = SAMPLING.flatMap((sampling, index) => [
        {
          name: `tracing_${sampling.name}_read_vs_off`,
          label: `federated read req/s, ${sampling.label} / off`,
          value: ratio(readOn[index]!.requestsPerSecond, readOff!.requestsPerSecond),
          unit: 'ratio' as const,
        },
        {
          name: `tracing_${sampling.name}_reservations_vs_off`,
          label: `reservations req/s, ${sampling.label} / off`,
          value: ratio(reserveOn[index]!.requestsPerSecond, reserveOff!.requestsPerSecond),
          unit: 'ratio' as const,
        },
      ]);
      const rows: MeasurementRow[] = [
        ...reads,
        ...reservations.map((m) => ({ ...m, note: describeCpu(m.cpu, 'reservation') })),
      ];
      return {
        headlines,
        rows,
        raw: {
          off_path_ns_per_event: Math.round(offNanos),
          off_path_share_of_reservation_cpu: offShare,
          system_cpu_ms_per_reservation_off: systemCpuPerReservationMs,
          exported_bytes: sink.bytes(),
          ...Object.fromEntries(
            variants.flatMap((variant, index) => [
              [`read_${variant.name}_rps`, reads[index]!.requestsPerSecond],
              [`read_${variant.name}_p99_ms`, reads[index]!.p99Ms],
              [`read_${variant.name}_gateway_cpu_ms_per_request`, reads[index]!.cpuMsPerRequest ?? null],
              [`reservations_${variant.name}_rps`, reservations[index]!.requestsPerSecond],
              [`reservations_${variant.name}_p99_ms`, reservations[index]!.p99Ms],
            ]),
          ),
        },
        notes: [
          `Tracing off loads no SDK; the event path's tracing calls then cost ${Math.round(offNanos)} ns per event ` +
            `published and handled (a reservation's saga publishes three events and handles four: ` +
            `${offShare === null ? 'unknown' : `${(offShare * 100).toFixed(4)} %`} of the ` +
            `${systemCpuPerReservationMs.toFixed(2)} ms of CPU a reservation costs the system).`,
          `The traced copies run beside the untraced stack on the same databases and stream: their relays and ` +
            `consumers share the work of every copy's events, so the reservation ratios include tracing the events ` +
            `of the other copies too. Spans went to a sink in the bench process (${sink.bytes()} bytes of OTLP).`,
        ],
      };
    } finally {
      for (const service of started.reverse()) await service.stop().catch(() => {});
      await sink.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
