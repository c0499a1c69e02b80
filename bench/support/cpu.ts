/**
 * Where the CPU of a measurement went, from the kernel's own accounting (Linux /proc): each
 * process's user + system time (every thread of it: the event loop, libuv's pool, GC helpers),
 * the load generator's (this process), and the whole machine's busy time, so that what is left —
 * PostgreSQL, NATS and anything else on the machine — shows too. A figure per operation is the
 * difference of two snapshots divided by the operations that succeeded in between.
 */
import { readFileSync } from 'node:fs';

/** A process whose CPU time is recorded, under the name the results show. */
export interface WatchedProcess {
  name: string;
  pid: number;
  /** Not part of the system (a peer gateway compared with ours): shown, not summed. */
  peer?: boolean;
}

export interface CpuSnapshot {
  /** CPU ms of each watched process (absent when it could not be read: another OS, an exited process). */
  processes: Map<string, number>;
  /** Names of the watched processes that are not part of the system. */
  peers: Set<string>;
  /** CPU ms of this process, the load generator. */
  loadGenerator: number;
  /** Busy and total CPU ms of the machine (all cores), when known. */
  machine?: { busy: number; total: number };
}

/** CPU ms per operation, split as the results show it. */
export interface CpuPerOperation {
  /** Each watched process (the system's gateway and subgraphs, and peers), by name. */
  of: Record<string, number>;
  /** The sum of `of` without the peers: what an operation costs the system's Node processes. */
  system: number;
  /** Names in `of` that are peers, not part of the system. */
  peers: string[];
  loadGenerator: number;
  /** Busy time of the machine not spent in the watched processes nor the load generator. */
  restOfMachine?: number;
  /** Share of the machine's CPU that was busy, 0–1. */
  machineBusyShare?: number;
}

/** Kernel clock ticks per second (USER_HZ): 100 on every Linux architecture Node runs on. */
const TICK_MS = 10;

/** CPU time a process has used, in ms (Linux /proc; undefined elsewhere or once it has gone). */
export function cpuMillisOf(pid: number): number | undefined {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

function machineMillis(): { busy: number; total: number } | undefined {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal (guest time is already counted in user).
    const values = ticks.slice(0, 8).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = values[3]! + values[4]!;
    return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(watched: readonly WatchedProcess[]): CpuSnapshot {
  const processes = new Map<string, number>();
  const peers = new Set(watched.filter((watch) => watch.peer).map((watch) => watch.name));
  for (const { name, pid } of watched) {
    const ms = cpuMillisOf(pid);
    if (ms !== undefined) processes.set(name, ms);
  }
  const self = process.cpuUsage();
  return { processes, peers, loadGenerator: (self.user + self.system) / 1000, machine: machineMillis() };
}

export function cpuPerOperation(before: CpuSnapshot, after: CpuSnapshot, operations: number): CpuPerOperation {
  const of: Record<string, number> = {};
  let systemMs = 0;
  let watchedMs = 0;
  for (const [name, ms] of after.processes) {
    const start = before.processes.get(name);
    if (start === undefined) continue;
    watchedMs += ms - start;
    if (!after.peers.has(name)) systemMs += ms - start;
    of[name] = (ms - start) / operations;
  }
  const loadGeneratorMs = after.loadGenerator - before.loadGenerator;
  const result: CpuPerOperation = {
    of,
    system: systemMs / operations,
    peers: [...after.peers],
    loadGenerator: loadGeneratorMs / operations,
  };
  if (before.machine && after.machine) {
    const busy = after.machine.busy - before.machine.busy;
    const total = after.machine.total - before.machine.total;
    result.restOfMachine = Math.max(0, busy - watchedMs - loadGeneratorMs) / operations;
    if (total > 0) result.machineBusyShare = busy / total;
  }
  return result;
}

/** Medians, name by name, of several rounds' figures. */
export function medianCpu(samples: readonly CpuPerOperation[], median: (values: number[]) => number) {
  if (samples.length === 0) return undefined;
  const names = [...new Set(samples.flatMap((sample) => Object.keys(sample.of)))];
  const optional = (pick: (sample: CpuPerOperation) => number | undefined) => {
    const values = samples.flatMap((sample) => (pick(sample) === undefined ? [] : [pick(sample)!]));
    return values.length > 0 ? median(values) : undefined;
  };
  const result: CpuPerOperation = {
    of: Object.fromEntries(names.map((name) => [name, median(samples.map((sample) => sample.of[name] ?? 0))])),
    system: median(samples.map((sample) => sample.system)),
    peers: samples[0]!.peers,
    loadGenerator: median(samples.map((sample) => sample.loadGenerator)),
  };
  const restOfMachine = optional((sample) => sample.restOfMachine);
  const machineBusyShare = optional((sample) => sample.machineBusyShare);
  if (restOfMachine !== undefined) result.restOfMachine = restOfMachine;
  if (machineBusyShare !== undefined) result.machineBusyShare = machineBusyShare;
  return result;
}

/**
 * "CPU ms per request: gateway 1.10 (21 % of the system's) · ticket 1.62 (31 % of the system's) …
 * = 5.2 across the system's processes; load generator 0.4; rest of the machine (PostgreSQL, NATS,
 * anything else) 1.9; machine 97 % busy". A peer's figure is shown, marked, and not summed.
 */
export function describeCpu(cpu: CpuPerOperation | undefined, unit = 'request'): string {
  if (!cpu) return '';
  const spent = Object.entries(cpu.of).filter(([, ms]) => ms >= 0.05);
  if (spent.length === 0) return '';
  const share = (name: string, ms: number) => {
    if (cpu.peers.includes(name)) return ' (a peer, not summed)';
    return cpu.system > 0 ? ` (${Math.round((ms / cpu.system) * 100)} % of the system's)` : '';
  };
  const parts = [
    `CPU ms per ${unit}: ${spent.map(([name, ms]) => `${name} ${ms.toFixed(2)}${share(name, ms)}`).join(' · ')} ` +
      `= ${cpu.system.toFixed(2)} across the system's processes`,
    `load generator ${cpu.loadGenerator.toFixed(2)}`,
  ];
  if (cpu.restOfMachine !== undefined)
    parts.push(`rest of the machine (PostgreSQL, NATS, anything else) ${cpu.restOfMachine.toFixed(2)}`);
  if (cpu.machineBusyShare !== undefined) parts.push(`machine ${Math.round(cpu.machineBusyShare * 100)} % busy`);
  return parts.join('; ');
}

/** Raw figures under stable names: `<prefix>_cpu_ms_<process>`, `_system`, `_load_generator`, `_rest_of_machine`, and the busy share. */
export function cpuFigures(prefix: string, cpu: CpuPerOperation | undefined): Record<string, number | null> {
  if (!cpu) return {};
  const key = (name: string) => `${prefix}_cpu_ms_${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
  return {
    ...Object.fromEntries(Object.entries(cpu.of).map(([name, ms]) => [key(name), ms])),
    [key('system')]: cpu.system,
    [key('load generator')]: cpu.loadGenerator,
    [key('rest of machine')]: cpu.restOfMachine ?? null,
    [`${prefix}_machine_busy_share`]: cpu.machineBusyShare ?? null,
  };
}

/** CPU ms per operation across the system, rounded for the headline; null where no process could be read. */
export function systemCpuMs(cpu: CpuPerOperation | undefined): number | null {
  return cpu && Object.keys(cpu.of).length > 0 ? Math.round(cpu.system * 100) / 100 : null;
}

/** Why a CPU figure is null: the only reason is an OS without /proc. */
export const NO_CPU_ACCOUNTING = 'no per-process CPU accounting here (needs Linux /proc)';
