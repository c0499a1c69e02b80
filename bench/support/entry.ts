/** What a benchmark entry is: a name, and a run that measures and reports its figures. */
import type { LoadSettings } from '../config.ts';
import type { Stack } from './stack.ts';

export interface EntryContext {
  stack: Stack;
  load: LoadSettings;
  log(line: string): void;
}

/** One measured target, as a row of the results table. */
export interface MeasurementRow {
  label: string;
  requestsPerSecond?: number;
  p50Ms?: number;
  p99Ms?: number;
  /** CPU time of the answering process per request. */
  cpuMsPerRequest?: number;
  note?: string;
}

/** A headline ratio or figure (the bar it is held to, if any, is in ../targets.ts). */
export interface Headline {
  /** Stable name in latest.json `figures`. */
  name: string;
  label: string;
  /** Null when it could not be measured; `unavailable` says why. */
  value: number | null;
  unit: 'ratio' | 'req/s' | 'tx/s' | 'ms' | 's' | 'count';
  unavailable?: string;
}

export interface EntryResult {
  headlines: Headline[];
  rows: MeasurementRow[];
  /** Raw figures under stable names (latest.json `raw.<entry>`). */
  raw: Record<string, number | null>;
  notes?: string[];
}

export interface BenchEntry {
  name: string;
  title: string;
  run(context: EntryContext): Promise<EntryResult>;
}

/** A ratio of two figures, rounded for reading. */
export function ratio(numerator: number, denominator: number): number {
  return Math.round((numerator / denominator) * 100) / 100;
}
