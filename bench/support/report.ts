/** The results: a Markdown table for people (latest.md) and stable names for machines (latest.json). */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { LoadSettings } from '../config.ts';
import { met, TARGETS, verdict, type Target } from '../targets.ts';
import type { EntryResult, Headline } from './entry.ts';

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  postgres: string;
}

export interface EntryOutcome {
  name: string;
  title: string;
  seconds: number;
  result?: EntryResult;
  /** Why the entry produced no figures. */
  error?: string;
}

export function machineFacts(postgresVersion: string): MachineFacts {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    postgres: postgresVersion,
  };
}

function gitRevision(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const formatNumber = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits);

function formatHeadline(headline: Headline): string {
  if (headline.value === null) return `unavailable: ${headline.unavailable ?? 'not measured'}`;
  const digits = headline.unit === 'ratio' || headline.unit === 's' ? 2 : headline.unit === 'ms' ? 1 : 0;
  const unit = headline.unit === 'ratio' ? '×' : headline.unit === 'count' ? '' : ` ${headline.unit}`;
  return `${headline.value.toFixed(digits)}${unit}`;
}

/**
 * V8's sampling profiler costs every process CPU and latency: on this machine, CPU per reservation
 * 6.9 ms profiled against 5.2 ms without it, saga p99 55 ms against 33 ms (entry `reservations`
 * alone, one after the other).
 */
const PROFILED_NOTE =
  "**Profiled run** (`--profile`): every process ran under V8's sampling profiler, which costs each of them " +
  'CPU and latency (here about a third more CPU per reservation). Compare these figures only with other ' +
  'profiled runs; the run of record, and the targets, are `bench/results/latest.md`, run without it.';

export function renderMarkdown(
  outcomes: readonly EntryOutcome[],
  machine: MachineFacts,
  load: LoadSettings,
  startedAt: Date,
  seconds: number,
  profiled = false,
): string {
  const lines: string[] = [];
  lines.push(`# Benchmark results`, '');
  lines.push(
    `${startedAt.toISOString()} · commit ${gitRevision()} · ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB · ` +
      `Node ${machine.node} · ${machine.postgres} · ${machine.os}`,
    '',
    `Load: autocannon, ${load.connections} connections, loopback; ${load.warmupSeconds} s warm-up, then ` +
      `${load.rounds} rounds × ${load.roundSeconds} s per target (compared targets interleaved); medians. ` +
      `Every process (gateways, subgraphs, PostgreSQL, NATS, load generator) shares this machine. ` +
      `Whole run: ${Math.round(seconds)} s.`,
    '',
  );
  if (profiled) lines.push(PROFILED_NOTE, '');
  lines.push('| headline | value | target |', '| --- | ---: | :---: |');
  for (const outcome of outcomes) {
    if (outcome.error) lines.push(`| ${outcome.name} | failed: ${escape(outcome.error)} | — |`);
    for (const headline of outcome.result?.headlines ?? []) {
      lines.push(
        `| ${headline.label} (\`${headline.name}\`) | ${formatHeadline(headline)} | ${verdict(headline.name, headline.value)} |`,
      );
    }
  }
  lines.push('');
  for (const outcome of outcomes) {
    const rows = outcome.result?.rows ?? [];
    if (!outcome.error && rows.length === 0 && !outcome.result?.notes?.length) continue;
    lines.push(`## ${outcome.title}`, '');
    if (outcome.error) {
      lines.push(`Failed after ${Math.round(outcome.seconds)} s: ${outcome.error}`, '');
      continue;
    }
    if (rows.length > 0) {
      lines.push(
        '| measured | req/s | p50 ms | p99 ms | CPU ms/req | note |',
        '| --- | ---: | ---: | ---: | ---: | --- |',
      );
      for (const row of rows) {
        lines.push(
          `| ${row.label} | ${formatNumber(row.requestsPerSecond)} | ${formatNumber(row.p50Ms, 1)} | ${formatNumber(row.p99Ms, 1)} | ${formatNumber(row.cpuMsPerRequest, 2)} | ${escape(row.note ?? '')} |`,
        );
      }
      lines.push('');
    }
    for (const note of outcome.result?.notes ?? []) lines.push(`- ${note}`);
    if (outcome.result?.notes?.length) lines.push('');
    if (outcome.seconds > 0) lines.push(`_${outcome.name}: ${Math.round(outcome.seconds)} s_`, '');
  }
  return `${lines.join('\n')}\n`;
}

export function renderJson(
  outcomes: readonly EntryOutcome[],
  machine: MachineFacts,
  load: LoadSettings,
  startedAt: Date,
  seconds: number,
  profiled = false,
): string {
  const figures: Record<string, number | null> = {};
  const unavailable: Record<string, string> = {};
  const raw: Record<string, Record<string, number | null>> = {};
  const failed: Record<string, string> = {};
  const targets: Record<string, Target & { met: boolean | null }> = {};
  for (const outcome of outcomes) {
    if (outcome.error) failed[outcome.name] = outcome.error;
    for (const headline of outcome.result?.headlines ?? []) {
      figures[headline.name] = headline.value;
      const target = TARGETS[headline.name];
      if (target) targets[headline.name] = { ...target, met: met(headline.name, headline.value)! };
      if (headline.value === null) unavailable[headline.name] = headline.unavailable ?? 'not measured';
    }
    if (outcome.result) raw[outcome.name] = outcome.result.raw;
  }
  return `${JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      commit: gitRevision(),
      seconds,
      profiled,
      machine,
      load,
      figures,
      targets,
      unavailable,
      failed,
      raw,
    },
    null,
    2,
  )}\n`;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
