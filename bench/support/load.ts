/**
 * The one way every entry measures: autocannon on the loopback, a closed loop of N connections,
 * a warm-up that is thrown away, then several bounded rounds; the median round is reported.
 * Targets compared with each other run their rounds interleaved (A B A B A B), so a drift of the
 * machine (a checkpoint, a GC storm, thermal limits) hits both alike.
 *
 * A response counts only when it is HTTP 200 without GraphQL `errors`: throughput of failures is
 * never reported. More than 1 % failures makes the measurement fail, with a sample.
 */
import autocannon from 'autocannon';
import type { LoadSettings } from '../config.ts';
import {
  cpuMillisOf,
  cpuPerOperation,
  cpuSnapshot,
  medianCpu,
  type CpuPerOperation,
  type WatchedProcess,
} from './cpu.ts';

export interface LoadTarget {
  label: string;
  url: string;
  /** A GraphQL request body, or a function making one per request (for example distinct tickets). */
  body: string | (() => string);
  /** Bearer tokens, taken in turn request by request (several callers behind one connection pool). */
  tokens?: readonly string[];
  /** The process answering (a gateway, a subgraph): its CPU time per request is reported. */
  pid?: number;
}

export interface RoundResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failed: number;
  /** CPU time (user + system) of the target's process per successful request, when known. */
  cpuMsPerRequest?: number;
  /** CPU per successful request of every watched process, the load generator and the rest of the machine. */
  cpu?: CpuPerOperation;
}

export interface Measurement {
  label: string;
  /** Medians over the measured rounds. */
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest?: number;
  cpu?: CpuPerOperation;
  rounds: RoundResult[];
}

export class LoadFailed extends Error {
  override readonly name = 'LoadFailed';
}

const MAX_FAILED_SHARE = 0.01;

/** One bounded run of `seconds` against one target (or `amount` requests, whichever the caller sets). */
export async function runRound(
  target: LoadTarget,
  options: { seconds: number; connections: number; amount?: number; watch?: readonly WatchedProcess[] },
): Promise<RoundResult> {
  const watched = options.watch ?? [];
  const watchedBefore = cpuSnapshot(watched);
  let ok = 0;
  let failed = 0;
  let failureSample: string | undefined;
  const { body, tokens = [] } = target;
  const headers = { 'content-type': 'application/json' };
  let turn = 0;
  const eachRequest =
    typeof body === 'function' || tokens.length > 0
      ? (request: autocannon.Request): autocannon.Request => ({
          ...request,
          headers:
            tokens.length > 0 ? { ...headers, authorization: `Bearer ${tokens[turn++ % tokens.length]}` } : headers,
          body: typeof body === 'function' ? body() : body,
        })
      : undefined;
  const cpuBefore = target.pid ? cpuMillisOf(target.pid) : undefined;
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    connections: options.connections,
    duration: options.seconds,
    amount: options.amount,
    headers,
    body: typeof body === 'string' ? body : undefined,
    requests: [
      {
        ...(eachRequest ? { setupRequest: eachRequest } : {}),
        onResponse: (status: number, responseBody: string) => {
          if (status === 200 && !responseBody.includes('"errors"')) ok += 1;
          else {
            failed += 1;
            failureSample ??= `HTTP ${status}: ${responseBody.slice(0, 300)}`;
          }
        },
      },
    ],
  });
  const total = ok + failed + result.errors;
  if (total === 0 || (failed + result.errors) / total > MAX_FAILED_SHARE) {
    throw new LoadFailed(
      `${target.label}: ${failed} failed responses and ${result.errors} connection errors of ${total}` +
        (failureSample ? `; first: ${failureSample}` : ''),
    );
  }
  const cpuAfter = target.pid ? cpuMillisOf(target.pid) : undefined;
  const perRequest = (before: number | undefined, after: number | undefined) =>
    before !== undefined && after !== undefined ? (after - before) / ok : undefined;
  const watchedAfter = cpuSnapshot(watched);
  return {
    requestsPerSecond: ok / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok,
    failed,
    cpuMsPerRequest: perRequest(cpuBefore, cpuAfter),
    ...(watched.length > 0 ? { cpu: cpuPerOperation(watchedBefore, watchedAfter, ok) } : {}),
  };
}

/** Warm-up for each target, then `rounds` interleaved rounds; medians per target. */
export async function measure(
  targets: readonly LoadTarget[],
  settings: LoadSettings,
  options: { watch?: readonly WatchedProcess[] } = {},
): Promise<Measurement[]> {
  const { connections } = settings;
  for (const target of targets) {
    if (settings.warmupSeconds > 0) await runRound(target, { seconds: settings.warmupSeconds, connections });
  }
  const rounds = targets.map(() => [] as RoundResult[]);
  for (let round = 0; round < settings.rounds; round++) {
    for (const [index, target] of targets.entries()) {
      rounds[index]!.push(
        await runRound(target, { seconds: settings.roundSeconds, connections, watch: options.watch }),
      );
    }
  }
  return targets.map((target, index) => summarise(target.label, rounds[index]!));
}

export function summarise(label: string, rounds: RoundResult[]): Measurement {
  const cpu = rounds.flatMap((r) => (r.cpuMsPerRequest === undefined ? [] : [r.cpuMsPerRequest]));
  return {
    label,
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    cpuMsPerRequest: cpu.length > 0 ? median(cpu) : undefined,
    cpu: medianCpu(
      rounds.flatMap((r) => (r.cpu ? [r.cpu] : [])),
      median,
    ),
    rounds,
  };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The value at percentile `p` (0–100) of samples, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
