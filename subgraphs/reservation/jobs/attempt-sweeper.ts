/**
 * Runs the saga's safety net on a timer in every reservation replica: attempts not confirmed in
 * time are abandoned (see `abandonExpiredAttempts`). Replicas never abandon the same attempt twice
 * (the sweep skips locked rows), so no leader is needed. Exports how many attempts are pending,
 * how old the oldest is, and how many were abandoned, by whom.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../../platform/logging.ts';
import type { Stoppable } from '../../../platform/lifecycle.ts';
import { abandonExpiredAttempts, type SweepPolicy } from '../domain/abandon-expired-attempts.ts';
import type { ReservationDeps, SagaObserver } from '../domain/ports.ts';

export interface AttemptSweeperOptions extends SweepPolicy {
  /** Time between the end of one sweep and the start of the next, in ms. */
  intervalMs: number;
}

/** Counts abandoned attempts by who abandoned them and why. */
export function createSagaMetrics(
  metrics: Registry,
  pendingAttempts: () => Promise<{ pending: number; oldestAgeSeconds: number }>,
): SagaObserver {
  const abandoned = new Counter({
    name: 'reservation_attempts_abandoned_total',
    help: 'Reservation attempts abandoned (their hold released through HoldAbandoned), by who abandoned them and why',
    labelNames: ['by', 'reason'],
    registers: [metrics],
  });
  const stats = () => pendingAttempts().catch(() => ({ pending: Number.NaN, oldestAgeSeconds: Number.NaN }));
  new Gauge({
    name: 'reservation_attempts_pending',
    help: 'Reservation attempts started and neither confirmed nor abandoned yet',
    registers: [metrics],
    async collect() {
      this.set((await stats()).pending);
    },
  });
  new Gauge({
    name: 'reservation_attempt_oldest_age_seconds',
    help: 'Age of the oldest pending reservation attempt (0 when none); the sweeper keeps it under the timeout',
    registers: [metrics],
    async collect() {
      this.set((await stats()).oldestAgeSeconds);
    },
  });
  return { attemptAbandoned: (by, reason) => abandoned.inc({ by, reason }) };
}

export function startAttemptSweeper(deps: ReservationDeps, options: AttemptSweeperOptions, logger: Logger): Stoppable {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failing = false;

  const sweep = async () => {
    try {
      await abandonExpiredAttempts(deps, options);
      if (failing) logger.info('the pending-reservation sweeper works again');
      failing = false;
    } catch (error) {
      // One line when it starts failing (the database is down), not one per interval.
      if (!failing) logger.warn({ err: error }, 'the pending-reservation sweeper failed; it keeps trying');
      failing = true;
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweep().finally(schedule);
    }, options.intervalMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
