/**
 * The one resilience policy around calls from reservation to ticket (cockatiel), outermost first:
 * retry (only failures that are safe to retry: the hold is idempotent by reservation id; never an
 * open circuit or a full bulkhead), circuit breaker (consecutive failures, so it trips the same
 * way every time), bulkhead, timeout (innermost).
 *
 * Breaker state, rejections, timeouts and call latency are exported as metrics; state changes are
 * logged with the correlation id of the call that caused them.
 */
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../../../platform/logging.ts';

export interface TicketCallPolicyOptions {
  /** Per attempt, in ms. */
  timeoutMs: number;
  /** Consecutive failures that open the circuit. */
  breakerFailures: number;
  /** How long the circuit stays open before one trial call, in ms. */
  halfOpenAfterMs: number;
  /** Concurrent calls, and calls queued behind them, before calls are rejected. */
  bulkheadLimit: number;
  bulkheadQueue: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
}

/** The ticket service answered with a server error or could not be reached. */
export class TicketServiceFailure extends Error {
  override readonly name = 'TicketServiceFailure';
}

export type TicketOperation = 'hold';

export interface TicketCallPolicy {
  /** Runs one call under the policy; `correlationId` goes into the logs of any state change it causes. */
  execute<T>(operation: TicketOperation, correlationId: string, call: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Seconds a caller should wait before trying again, from the breaker's state. */
  retryAfterSeconds(): number;
  /**
   * True when a call made now would be refused without being sent: the circuit is open and its
   * trial call not yet due. Counted as a rejection, like a call the open circuit refuses.
   */
  refusesNow(): boolean;
  state(): CircuitState;
}

const isTransient = (error: unknown) => error instanceof TicketServiceFailure || error instanceof TaskCancelledError;

const STATE_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.Open]: 1,
  [CircuitState.HalfOpen]: 2,
  [CircuitState.Isolated]: 1,
};

function outcomeOf(error: unknown): string {
  if (error instanceof BrokenCircuitError) return 'circuit-open';
  if (error instanceof BulkheadRejectedError) return 'bulkhead-full';
  if (error instanceof TaskCancelledError) return 'timeout';
  if (error instanceof TicketServiceFailure) return 'failed';
  return 'refused';
}

export function createTicketCallPolicy(
  options: TicketCallPolicyOptions,
  logger: Logger,
  metrics: Registry,
): TicketCallPolicy {
  const calling = new AsyncLocalStorage<{ correlationId: string }>();
  const breaker = circuitBreaker(handleWhen(isTransient), {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breakerFailures),
  });
  const logState = (message: string, extra: Record<string, unknown> = {}) =>
    logger.warn({ breaker: 'ticket', correlationId: calling.getStore()?.correlationId, ...extra }, message);
  let openedAt = 0;
  breaker.onBreak(() => {
    openedAt = Date.now();
    logState('circuit to ticket opened: reservations get TICKET_SERVICE_UNAVAILABLE', {
      halfOpenAfterMs: options.halfOpenAfterMs,
    });
  });
  breaker.onHalfOpen(() => logState('circuit to ticket half-open: one trial call goes through'));
  breaker.onReset(() => logState('circuit to ticket closed'));

  new Gauge({
    name: 'ticket_circuit_breaker_state',
    help: 'Circuit breaker around calls to ticket: 0 closed, 1 open, 2 half-open',
    registers: [metrics],
    collect() {
      this.set(STATE_VALUE[breaker.state]);
    },
  });
  const rejections = new Counter({
    name: 'ticket_circuit_breaker_rejections_total',
    help: 'Calls to ticket refused without being sent (circuit open or bulkhead full)',
    labelNames: ['reason'],
    registers: [metrics],
  });
  const timeouts = new Counter({
    name: 'ticket_call_timeouts_total',
    help: 'Calls to ticket abandoned at the timeout (the outcome is unknown)',
    registers: [metrics],
  });
  const duration = new Histogram({
    name: 'ticket_call_duration_seconds',
    help: 'Calls to ticket, retries included, by operation and outcome',
    labelNames: ['operation', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics],
  });

  const retries = retry(
    handleWhen((error) => isTransient(error) && !(error instanceof BulkheadRejectedError)),
    {
      maxAttempts: Math.max(0, options.maxAttempts - 1),
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
    },
  );
  // The timer's abort cancels a call still running at the timeout. Aborting again once a call has
  // returned (cockatiel's default) cancels nothing, since the call has read its whole answer, and
  // built a DOMException with its stack for every call: 1.5 % of reservation's CPU.
  const timeoutPolicy = timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  timeoutPolicy.onTimeout(() => timeouts.inc());
  const policy = wrap(retries, breaker, bulkhead(options.bulkheadLimit, options.bulkheadQueue), timeoutPolicy);

  return {
    async execute(operation, correlationId, call) {
      const stopTimer = duration.startTimer({ operation });
      try {
        const result = await calling.run({ correlationId }, () => policy.execute(({ signal }) => call(signal)));
        stopTimer({ outcome: 'success' });
        return result;
      } catch (error) {
        const outcome = outcomeOf(error);
        stopTimer({ outcome });
        if (outcome === 'circuit-open' || outcome === 'bulkhead-full') rejections.inc({ reason: outcome });
        throw error;
      }
    },
    state: () => breaker.state,
    refusesNow() {
      const refuses = breaker.state === CircuitState.Open && Date.now() < openedAt + options.halfOpenAfterMs;
      if (refuses) rejections.inc({ reason: 'circuit-open' });
      return refuses;
    },
    retryAfterSeconds() {
      if (breaker.state !== CircuitState.Open) return 1;
      return Math.max(1, Math.ceil((openedAt + options.halfOpenAfterMs - Date.now()) / 1000));
    },
  };
}
