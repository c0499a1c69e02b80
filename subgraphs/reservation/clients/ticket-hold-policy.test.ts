import { describe, expect, it } from '@jest/globals';
import { BrokenCircuitError, CircuitState } from 'cockatiel';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createTicketCallPolicy, TicketServiceFailure, type TicketCallPolicyOptions } from './ticket-hold-policy.ts';
import { rejectionOf } from '../../../test/support/domain.ts';

const settings: TicketCallPolicyOptions = {
  timeoutMs: 50,
  breakerFailures: 3,
  halfOpenAfterMs: 2000,
  bulkheadLimit: 2,
  bulkheadQueue: 0,
  maxAttempts: 2,
};

function aPolicy(overrides: Partial<TicketCallPolicyOptions> = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const metrics = new Registry();
  return { policy: createTicketCallPolicy({ ...settings, ...overrides }, logger, metrics), lines, metrics };
}

const failing = () => Promise.reject(new TicketServiceFailure('ticket answered HTTP 503'));

describe('the ticket call policy', () => {
  it('retries a failure that is safe to retry, once', async () => {
    const { policy } = aPolicy();
    let attempts = 0;
    await rejectionOf(() => policy.execute('hold', 'c-1', () => ((attempts += 1), failing())));
    expect(attempts).toBe(2);
  });

  it('opens after the configured consecutive failures, logging the correlation id of the call that opened it', async () => {
    const { policy, lines, metrics } = aPolicy({ maxAttempts: 1 });
    for (const id of ['c-1', 'c-2', 'c-3']) await rejectionOf(() => policy.execute('hold', id, failing));
    expect(policy.state()).toBe(CircuitState.Open);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: expect.stringContaining('opened'), correlationId: 'c-3' }),
    );
    expect(await metrics.getSingleMetricAsString('ticket_circuit_breaker_state')).toMatch(/ 1$/m);
  });

  it('while open, refuses at once without calling ticket or retrying, and says when to come back', async () => {
    const { policy, metrics } = aPolicy({ maxAttempts: 1 });
    for (let i = 0; i < 3; i++) await rejectionOf(() => policy.execute('hold', `c-${i}`, failing));
    let called = false;
    const error = await rejectionOf(() => policy.execute('hold', 'c-open', async () => void (called = true)));
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect(called).toBe(false);
    expect(policy.retryAfterSeconds()).toBe(2);
    expect(await metrics.getSingleMetricAsString('ticket_circuit_breaker_rejections_total')).toMatch(
      /reason="circuit-open"[^\n]* 1/,
    );
  });

  it('says a call would be refused only while open and before the trial call is due', async () => {
    const { policy, metrics } = aPolicy({ maxAttempts: 1, halfOpenAfterMs: 200 });
    expect(policy.refusesNow()).toBe(false);
    for (let i = 0; i < 3; i++) await rejectionOf(() => policy.execute('hold', `c-${i}`, failing));

    expect(policy.refusesNow()).toBe(true);
    expect(await metrics.getSingleMetricAsString('ticket_circuit_breaker_rejections_total')).toMatch(
      /reason="circuit-open"[^\n]* 1/,
    );
    // Once the trial call is due, a caller must be let through to make it, or the circuit never closes.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(policy.refusesNow()).toBe(false);
    await policy.execute('hold', 'c-trial', async () => undefined);
    expect(policy.state()).toBe(CircuitState.Closed);
  });

  it('counts a call that outlives the timeout as a timeout and a failure', async () => {
    const { policy, metrics } = aPolicy({ maxAttempts: 1 });
    const slow = (signal: AbortSignal) =>
      new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    await rejectionOf(() => policy.execute('hold', 'c-slow', slow));
    expect(await metrics.getSingleMetricAsString('ticket_call_timeouts_total')).toMatch(/ 1$/m);
  });
});
