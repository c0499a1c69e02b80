/**
 * Where a process spent its CPU: the top functions of a V8 `.cpuprofile` (written by
 * `node --cpu-prof`) by self time and by total time, and the share spent in each package.
 *
 *   npx tsx scripts/cpu-profile-summary.ts PROFILE.cpuprofile [--top 15] [--window FROM:TO] [--ops N]
 *
 * `--window` keeps only the samples taken between two instants of the monotonic clock, in µs
 * (`process.hrtime.bigint() / 1000n` in any process on the machine reads the same clock), so the
 * load alone is summarised, not the start-up. `--ops` divides the times by the operations done in
 * that window (ms per operation). `summariseCpuProfile` is the same, for a program.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface CostLine {
  /** `function (file:line)`, or a V8 pseudo-frame such as `(garbage collector)`. */
  name: string;
  /** Package (`node_modules/<name>`), `node:` internals, or `app` for this repository's code. */
  area: string;
  ms: number;
  share: number;
}

export interface CpuProfileSummary {
  /** Milliseconds of samples that were not idle. */
  busyMs: number;
  idleMs: number;
  self: CostLine[];
  total: CostLine[];
  byArea: { area: string; ms: number; share: number }[];
}

const IDLE = new Set(['(idle)', '(program)']);

export function summariseCpuProfile(
  profile: CpuProfile,
  options: { top?: number; window?: { from: number; to: number } } = {},
): CpuProfileSummary {
  const top = options.top ?? 15;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

  const selfMsById = new Map<number, number>();
  let time = profile.startTime;
  for (const [index, nodeId] of profile.samples.entries()) {
    time += profile.timeDeltas[index] ?? 0;
    if (options.window && (time < options.window.from || time > options.window.to)) continue;
    // A sample stands for the interval until the next one.
    const interval = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    selfMsById.set(nodeId, (selfMsById.get(nodeId) ?? 0) + interval);
  }

  const self = new Map<string, CostLine>();
  const total = new Map<string, CostLine>();
  const areas = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  for (const [nodeId, ms] of selfMsById) {
    const node = byId.get(nodeId)!;
    const name = frameName(node);
    if (IDLE.has(node.callFrame.functionName)) {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    add(self, name, areaOf(node.callFrame.url), ms);
    areas.set(areaOf(node.callFrame.url), (areas.get(areaOf(node.callFrame.url)) ?? 0) + ms);
    // Total time: each distinct frame on the stack once (recursion counted once).
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) {
      const frame = byId.get(id)!;
      const frameKey = frameName(frame);
      if (frame.callFrame.functionName === '(root)' || seen.has(frameKey)) continue;
      seen.add(frameKey);
      add(total, frameKey, areaOf(frame.callFrame.url), ms);
    }
  }
  const ranked = (lines: Map<string, CostLine>) =>
    [...lines.values()]
      .map((line) => ({ ...line, share: busyMs > 0 ? line.ms / busyMs : 0 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return {
    busyMs,
    idleMs,
    self: ranked(self),
    total: ranked(total),
    byArea: [...areas]
      .map(([area, ms]) => ({ area, ms, share: busyMs > 0 ? ms / busyMs : 0 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
  };
}

function add(lines: Map<string, CostLine>, name: string, area: string, ms: number): void {
  const line = lines.get(name);
  if (line) line.ms += ms;
  else lines.set(name, { name, area, ms, share: 0 });
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return functionName || '(anonymous)';
  return `${functionName || '(anonymous)'} (${shortUrl(url)}:${lineNumber + 1})`;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  if (url.startsWith('node:')) return url;
  return path.relative(process.cwd(), url.replace(/^file:\/\//, ''));
}

function areaOf(url: string): string {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node';
  const modules = url.lastIndexOf('node_modules/');
  if (modules < 0) return 'app';
  const rest = url.slice(modules + 'node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
}

export function renderSummary(summary: CpuProfileSummary, ops?: number): string {
  const unit = ops ? 'ms/op' : 'ms';
  const value = (ms: number) => (ops ? (ms / ops).toFixed(3) : ms.toFixed(0));
  const table = (title: string, lines: { name?: string; area: string; ms: number; share: number }[]) =>
    [
      `${title}:`,
      ...lines.map(
        (line) =>
          `  ${value(line.ms).padStart(8)} ${unit}  ${(line.share * 100).toFixed(1).padStart(5)} %  ${line.name ?? line.area}`,
      ),
    ].join('\n');
  return [
    `busy ${value(summary.busyMs)} ${unit}` +
      (ops ? ` over ${ops} operations` : '') +
      `, idle ${summary.idleMs.toFixed(0)} ms`,
    table('by package (self time)', summary.byArea),
    table('top self time', summary.self),
    table('top total time', summary.total),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' }, window: { type: 'string' }, ops: { type: 'string' } },
  });
  if (positionals.length === 0) {
    process.stderr.write(
      'usage: tsx scripts/cpu-profile-summary.ts FILE.cpuprofile… [--top N] [--window FROM:TO] [--ops N]\n',
    );
    process.exit(64);
  }
  const [from, to] = values.window?.split(':').map(Number) ?? [];
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const summary = summariseCpuProfile(profile, {
      top: values.top ? Number(values.top) : undefined,
      window: from !== undefined && to !== undefined ? { from, to } : undefined,
    });
    process.stdout.write(`== ${file}\n${renderSummary(summary, values.ops ? Number(values.ops) : undefined)}\n\n`);
  }
}
