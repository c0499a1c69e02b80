import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../platform/config.ts';
import { loadReservationConfig } from './config.ts';

const base = { NODE_ENV: 'test' };

describe('the reservation configuration', () => {
  it('by default, a pending attempt is abandoned after 15 s, swept every second', () => {
    expect(loadReservationConfig(base).attemptSweep).toMatchObject({ attemptTimeoutMs: 15_000, intervalMs: 1000 });
  });

  it('when the attempt timeout is not longer than the longest hold call, start is refused naming it', () => {
    // 500 ms × (1 + one round of queue) × 2 attempts + 500 ms backoff = 2500 ms.
    const env = {
      ...base,
      TICKET_CALL_TIMEOUT_MS: '500',
      TICKET_BULKHEAD_LIMIT: '10',
      TICKET_BULKHEAD_QUEUE: '10',
      TICKET_CALL_MAX_ATTEMPTS: '2',
    };

    expect(() => loadReservationConfig({ ...env, PENDING_RESERVATION_TIMEOUT_MS: '2500' })).toThrow(ConfigError);
    expect(() => loadReservationConfig({ ...env, PENDING_RESERVATION_TIMEOUT_MS: '2500' })).toThrow(
      /PENDING_RESERVATION_TIMEOUT_MS: must exceed the longest hold call \(2500 ms/,
    );
    expect(
      loadReservationConfig({ ...env, PENDING_RESERVATION_TIMEOUT_MS: '2501' }).attemptSweep.attemptTimeoutMs,
    ).toBe(2501);
  });
});
