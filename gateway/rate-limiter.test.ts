import { describe, expect, it } from '@jest/globals';
import { createRateLimiter, type RateLimitOptions } from './rate-limiter.ts';

function aLimiter(overrides: Partial<RateLimitOptions> = {}) {
  let now = 0;
  const limiter = createRateLimiter({ perSecond: 2, burst: 3, now: () => now, ...overrides });
  return { limiter, advance: (ms: number) => (now += ms) };
}

function takeTimes(limiter: ReturnType<typeof createRateLimiter>, key: string, times: number) {
  return Array.from({ length: times }, () => limiter.take(key).allowed);
}

describe('rate limiter', () => {
  it('lets a caller send a burst at once and refuses the request after it', () => {
    const { limiter } = aLimiter();
    expect(takeTimes(limiter, 'alice', 4)).toEqual([true, true, true, false]);
  });

  it('says when to retry: the time one request takes to refill, rounded up to a second', () => {
    const { limiter } = aLimiter({ perSecond: 0.5 });
    takeTimes(limiter, 'alice', 3);
    expect(limiter.take('alice')).toEqual({ allowed: false, retryAfterSeconds: 2 });
  });

  it('refills at the sustained rate, never above the burst', () => {
    const { limiter, advance } = aLimiter();
    takeTimes(limiter, 'alice', 3);
    advance(500);
    expect(takeTimes(limiter, 'alice', 2)).toEqual([true, false]);
    advance(60_000);
    expect(takeTimes(limiter, 'alice', 4)).toEqual([true, true, true, false]);
  });

  it('keeps one bucket per caller: one caller exhausting its own leaves others untouched', () => {
    const { limiter } = aLimiter();
    takeTimes(limiter, 'mallory', 10);
    expect(limiter.take('alice').allowed).toBe(true);
  });

  it('with a rate of 0, never refuses', () => {
    const { limiter } = aLimiter({ perSecond: 0 });
    expect(takeTimes(limiter, 'alice', 1000).every(Boolean)).toBe(true);
  });

  it('bounds memory: idle callers are forgotten, active ones keep their state', () => {
    const { limiter, advance } = aLimiter({ maxKeys: 2 });
    takeTimes(limiter, 'busy', 3);
    takeTimes(limiter, 'idle', 1);
    advance(500); // 'idle' is full again; 'busy' has one request left
    limiter.take('newcomer');
    expect(takeTimes(limiter, 'busy', 2)).toEqual([true, false]);
  });
});
