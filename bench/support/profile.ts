/**
 * `npm run bench -- --profile` (or BENCH_PROFILE=1): every process the bench starts runs under
 * V8's sampling profiler (`--cpu-prof`), each writing into a folder of its own under
 * bench/results/profiled/profiles/<run>/ when it exits. After the run, each process's samples
 * taken while the entries ran (not the start-up and seeding) are summed by function and by
 * package: the top costs per process, in profile-summary.md and at the end of latest.md, both in
 * bench/results/profiled/, apart from the run of record (the profiler costs every process CPU).
 * The .cpuprofile files open in Chrome DevTools (Performance → Load profile) or speedscope.
 *
 * The profiler samples a thread's stack at a fixed interval of wall time; on a busy machine a
 * descheduled thread is sampled late, so its sampled time overstates its CPU time. Shares within a
 * process are what the summary stands on; the CPU seconds shown beside each process come from the
 * kernel (/proc) over the same window.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../system/launcher.ts';
import { summariseCpuProfile, type CpuProfile } from '../../scripts/cpu-profile-summary.ts';
import { cpuSnapshot, type CpuSnapshot, type WatchedProcess } from './cpu.ts';

/** Functions shown per process. */
const TOP = 10;
/** Packages (or project folders) shown per process. */
const TOP_PACKAGES = 6;

/** One function's self time in a process, or one package's. */
interface Cost {
  /** `function (file:line)`, or a package name. */
  name: string;
  /** Its package (`node_modules/<name>`), `node` for Node's internals, `app` for this repository. */
  area: string;
  ms: number;
}

export interface ProcessProfile {
  name: string;
  /** Sampled, non-idle time in the window, in ms. */
  sampledMs: number;
  /** CPU time the kernel accounted to it over the window, when it ran throughout. */
  cpuMs?: number;
  functions: Cost[];
  packages: { area: string; ms: number }[];
}

export interface Profiler {
  /** Where this run's profiles go, one folder per process. */
  readonly dir: string;
  /** Node options that make a process named `name` write its profile here. */
  nodeOptions(name: string): string[];
  /** The measured window begins (after start-up and seeding). */
  markStart(processes: readonly WatchedProcess[]): void;
  /** The measured window ends. */
  markEnd(processes: readonly WatchedProcess[]): void;
  /** Reads the profiles (once every process has exited and written its own). */
  summarise(): ProcessProfile[];
}

export function createProfiler(resultsDir: string, startedAt: Date): Profiler {
  const dir = path.join(resultsDir, 'profiles', startedAt.toISOString().replace(/[:.]/g, '-'));
  const window = { start: 0, end: Number.POSITIVE_INFINITY };
  let cpuAtStart: CpuSnapshot | undefined;
  let cpuAtEnd: CpuSnapshot | undefined;
  const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);
  return {
    dir,
    nodeOptions(name) {
      const processDir = path.join(dir, folderName(name));
      mkdirSync(processDir, { recursive: true });
      return ['--cpu-prof', `--cpu-prof-dir=${processDir}`];
    },
    markStart(processes) {
      window.start = monotonicMicros();
      cpuAtStart = cpuSnapshot(processes.map(({ name, pid }) => ({ name: folderName(name), pid })));
    },
    markEnd(processes) {
      window.end = monotonicMicros();
      // For a later summary of the same window (scripts/cpu-profile-summary.ts --window FROM:TO).
      writeFileSync(path.join(dir, 'window.json'), JSON.stringify({ from: window.start, to: window.end }));
      cpuAtEnd = cpuSnapshot(processes.map(({ name, pid }) => ({ name: folderName(name), pid })));
    },
    summarise() {
      return readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => {
          const files = readdirSync(path.join(dir, entry.name)).filter((file) => file.endsWith('.cpuprofile'));
          const profiles = files.map(
            (file) => JSON.parse(readFileSync(path.join(dir, entry.name, file), 'utf8')) as CpuProfile,
          );
          const summary = summariseProfiles(entry.name, profiles, window);
          const start = cpuAtStart?.processes.get(entry.name);
          const end = cpuAtEnd?.processes.get(entry.name);
          return start !== undefined && end !== undefined ? { ...summary, cpuMs: end - start } : summary;
        })
        .filter((summary) => summary.sampledMs > 0)
        .sort((a, b) => (b.cpuMs ?? b.sampledMs) - (a.cpuMs ?? a.sampledMs));
    },
  };
}

/** A process name as a folder name ("reservation (breaker)" → "reservation-breaker"). */
function folderName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * Self time by function and by package of a process's profiles (its threads, its restarts), from
 * samples taken within `window` (monotonic µs, as V8 stamps them), each profile summarised by
 * scripts/cpu-profile-summary.ts.
 */
export function summariseProfiles(
  name: string,
  profiles: readonly CpuProfile[],
  window: { start: number; end: number },
): ProcessProfile {
  const functions = new Map<string, Cost>();
  const packages = new Map<string, number>();
  let sampledMs = 0;
  for (const profile of profiles) {
    const summary = summariseCpuProfile(profile, {
      top: Number.POSITIVE_INFINITY,
      window: { from: window.start, to: window.end },
    });
    sampledMs += summary.busyMs;
    for (const line of summary.self) {
      const cost = functions.get(line.name) ?? { name: line.name, area: line.area, ms: 0 };
      cost.ms += line.ms;
      functions.set(line.name, cost);
    }
    for (const { area, ms } of summary.byArea) packages.set(area, (packages.get(area) ?? 0) + ms);
  }
  return {
    name,
    sampledMs,
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms).slice(0, TOP),
    packages: [...packages]
      .map(([area, ms]) => ({ area, ms }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, TOP_PACKAGES),
  };
}

/** The summary as Markdown: per process, the top packages in one line and the top functions in a table. */
export function renderProfileSummary(profiles: readonly ProcessProfile[], profileDir: string): string {
  const lines = [
    '## Where the CPU goes (V8 CPU profiles, `--profile`)',
    '',
    `Self time while the entries ran, per process, from \`--cpu-prof\` (files in \`${path.relative(ROOT, profileDir)}/\`: ` +
      'open them in Chrome DevTools or speedscope). Shares are of the process’s sampled non-idle time; CPU s is ' +
      'the kernel’s account of the same window (absent for processes that did not run throughout).',
    '',
  ];
  for (const profile of profiles) {
    const share = (ms: number) => `${((ms / profile.sampledMs) * 100).toFixed(1)} %`;
    const cpu = profile.cpuMs === undefined ? '' : `, ${(profile.cpuMs / 1000).toFixed(1)} s CPU`;
    lines.push(
      `### ${profile.name} (${(profile.sampledMs / 1000).toFixed(1)} s sampled${cpu})`,
      '',
      `By package: ${profile.packages.map((p) => `${p.area} ${share(p.ms)}`).join(' · ')}`,
      '',
      '| self | function | package |',
      '| ---: | --- | --- |',
      ...profile.functions.map((f) => `| ${share(f.ms)} | \`${f.name}\` | ${f.area} |`),
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
