/**
 * Per-caller rate limiting: a token bucket per key (a user id, or a client address), refilled at
 * `perSecond` up to `burst`.
 *
 * The buckets live in this process's memory, which is right for one gateway replica. With several
 * replicas each enforces its own limit (a caller gets up to replicas × the rate); one limit for
 * all of them needs a shared store such as Redis (for example a Lua script doing this same
 * arithmetic atomically per key).
 */

export interface RateLimitOptions {
  /** Sustained requests per second per key; 0 turns limiting off. */
  perSecond: number;
  /** Requests a key may send at once above the sustained rate (the bucket's size). */
  burst: number;
  /** Keys tracked before idle (full) buckets are dropped; bounds memory under address scans. */
  maxKeys?: number;
  /** Milliseconds; injected by tests. */
  now?: () => number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string): RateDecision;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const ALLOWED: RateDecision = { allowed: true };

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const { perSecond, burst } = options;
  if (perSecond === 0) return { take: () => ALLOWED };
  const now = options.now ?? (() => performance.now());
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();

  function refill(bucket: Bucket, at: number): void {
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = at;
  }

  /** A full bucket behaves exactly like a missing one, so dropping it forgets nothing. */
  function dropIdleBuckets(at: number): void {
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= burst) buckets.delete(key);
    }
    // Still full of active keys: forget the oldest (Map keeps insertion order), in favour of the caller.
    for (const key of buckets.keys()) {
      if (buckets.size < maxKeys) break;
      buckets.delete(key);
    }
  }

  return {
    take(key) {
      const at = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) dropIdleBuckets(at);
        bucket = { tokens: burst, updatedAt: at };
        buckets.set(key, bucket);
      } else {
        refill(bucket, at);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return ALLOWED;
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
    },
  };
}
