/**
 * The nemesis: on a schedule drawn from the seed, crashes (SIGKILL) or freezes (SIGSTOP) one of
 * the system's processes — always one this run started, by its pid — holds the fault a while,
 * then heals it (restart, or SIGCONT) before the next. Every fault is recorded.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Random } from './random.ts';

export type FaultKind = 'kill' | 'freeze';

/** Where the next fault lands, chosen when it is injected (a cluster's stream leader moves). */
export type TargetSource = () => Promise<FaultTarget>;

/** Something the nemesis can break: a subgraph, the gateway, NATS, PostgreSQL. */
export interface FaultTarget {
  name: string;
  /** The pid the next fault would hit (for the record). */
  pid(): number;
  kill(): Promise<void>;
  /** Starts it again after a kill; resolves once it serves. */
  restart(): Promise<void>;
  freeze(): void;
  resume(): void;
}

export interface Fault {
  kind: FaultKind;
  target: string;
  pid: number;
  /** Since the nemesis started. */
  atMs: number;
  heldMs: number;
  /** How long healing took (a restart until ready). */
  healMs: number;
}

export interface NemesisSchedule {
  /** Healthy time between faults. */
  gapMs: [number, number];
  /** How long a fault is held before it is healed. */
  holdMs: [number, number];
}

export class Nemesis {
  readonly faults: Fault[] = [];
  private readonly started = Date.now();
  private active: { kind: FaultKind; target: FaultTarget } | undefined;

  constructor(
    private readonly random: Random,
    private readonly log: (line: string) => void,
  ) {}

  /** Random faults on random targets until `durationMs` has passed. */
  async run(targets: readonly TargetSource[], schedule: NemesisSchedule, durationMs: number): Promise<void> {
    const until = Date.now() + durationMs;
    for (;;) {
      await sleep(this.random.int(...schedule.gapMs));
      if (Date.now() >= until) return;
      const target = await this.random.pick(targets)();
      const kind: FaultKind = this.random.chance(0.5) ? 'kill' : 'freeze';
      await this.inject(kind, target, this.random.int(...schedule.holdMs));
    }
  }

  /** One fault: break, hold, heal. */
  async inject(kind: FaultKind, target: FaultTarget, holdMs: number): Promise<void> {
    const pid = target.pid();
    const brokeAt = Date.now();
    this.log(`nemesis: ${kind} ${target.name} (pid ${pid}) for ${holdMs} ms`);
    this.active = { kind, target };
    if (kind === 'kill') await target.kill();
    else target.freeze();
    await sleep(holdMs);
    const healing = Date.now();
    await this.heal();
    const atMs = brokeAt - this.started;
    this.faults.push({ kind, target: target.name, pid, atMs, heldMs: healing - brokeAt, healMs: Date.now() - healing });
  }

  /** Heals the fault in force, if any: SIGCONT, or a restart (retried while it fails to come up). */
  async heal(): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    if (active.kind === 'freeze') return active.target.resume();
    for (let attempt = 1; ; attempt++) {
      try {
        return await active.target.restart();
      } catch (error) {
        if (attempt >= 3) throw error;
        this.log(
          `nemesis: ${active.target.name} did not come back (${(error as Error).message.split('\n')[0]}); again`,
        );
      }
    }
  }

  /** Faults by kind and target, e.g. `{ "kill ticket": 2, "freeze nats": 1 }`. */
  tally(): Record<string, number> {
    const tally: Record<string, number> = {};
    for (const fault of this.faults) {
      const key = `${fault.kind} ${fault.target}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    return tally;
  }
}
