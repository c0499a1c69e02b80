/**
 * The one resilience policy around calls from reservation to ticket (cockatiel), outermost first:
 * retry (only failures that are safe to retry: the hold is idempotent by reservation id; never an
 * open circuit or a full bulkhead), circuit breaker, bulkhead, timeout (innermost).
 */
import {
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
  type IPolicy,
} from 'cockatiel';
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

export interface TicketCallPolicy {
  policy: IPolicy;
  /** Seconds a caller should wait before trying again, from the breaker's state. */
  retryAfterSeconds(): number;
  state(): CircuitState;
}

const isTransient = (error: unknown) => error instanceof TicketServiceFailure || error instanceof TaskCancelledError;

export function createTicketCallPolicy(options: TicketCallPolicyOptions, logger: Logger): TicketCallPolicy {
  const breaker = circuitBreaker(handleWhen(isTransient), {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breakerFailures),
  });
  let openedAt = 0;
  breaker.onBreak(() => {
    openedAt = Date.now();
    logger.warn({ breaker: 'ticket', halfOpenAfterMs: options.halfOpenAfterMs }, 'circuit to ticket opened');
  });
  breaker.onHalfOpen(() => logger.info({ breaker: 'ticket' }, 'circuit to ticket half-open: trying one call'));
  breaker.onReset(() => logger.info({ breaker: 'ticket' }, 'circuit to ticket closed'));

  const retries = retry(
    handleWhen((error) => isTransient(error) && !(error instanceof BulkheadRejectedError)),
    {
      maxAttempts: Math.max(0, options.maxAttempts - 1),
      backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
    },
  );
  const policy = wrap(
    retries,
    breaker,
    bulkhead(options.bulkheadLimit, options.bulkheadQueue),
    timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
  );

  return {
    policy,
    state: () => breaker.state,
    retryAfterSeconds() {
      if (breaker.state !== CircuitState.Open) return 1;
      const remaining = openedAt + options.halfOpenAfterMs - Date.now();
      return Math.max(1, Math.ceil(remaining / 1000));
    },
  };
}
