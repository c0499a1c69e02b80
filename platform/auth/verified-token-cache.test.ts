import { describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { Unauthenticated } from '../../ticketing/errors.ts';
import type { Caller } from '../../ticketing/caller.ts';
import type { TokenVerifier } from './tokens.ts';
import { withVerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.ts';

const NOW = Date.UTC(2030, 0, 1);

/** A bearer header whose token expires `inSeconds` from NOW (the signature is never checked here). */
async function bearer(sub: string, inSeconds = 3600): Promise<string> {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime(Math.floor(NOW / 1000) + inSeconds)
    .sign(new TextEncoder().encode('any-secret-will-do-for-this-test-0123456789'));
  return `Bearer ${token}`;
}

/** A verifier that counts its calls and refuses tokens whose subject starts with "forged". */
function aCountingVerifier() {
  const calls: string[] = [];
  const verifier: TokenVerifier = {
    async callerFrom(authorization) {
      calls.push(authorization ?? '');
      if (!authorization) return { kind: 'anonymous' };
      const sub = JSON.parse(Buffer.from(authorization.split('.')[1]!, 'base64url').toString()).sub as string;
      if (sub.startsWith('forged')) throw new Unauthenticated('token signature is invalid');
      return { kind: 'user', userId: sub, roles: ['USER'], grade: 'NORMAL' } satisfies Caller;
    },
  };
  return { verifier, calls };
}

function aCache(verifier: TokenVerifier, overrides: Partial<VerifiedTokenCacheOptions> = {}) {
  let now = NOW;
  const cached = withVerifiedTokenCache(verifier, { maxEntries: 100, maxAgeSeconds: 60, now: () => now, ...overrides });
  return { cached, advance: (ms: number) => (now += ms) };
}

describe('verified token cache', () => {
  it('verifies a token once and answers the same caller for it afterwards', async () => {
    const { verifier, calls } = aCountingVerifier();
    const { cached } = aCache(verifier);
    const alice = await bearer('alice');

    const first = await cached.callerFrom(alice);
    const second = await cached.callerFrom(alice);

    expect(second).toEqual(first);
    expect(calls).toHaveLength(1);
  });

  it('verifies again after maxAgeSeconds, and never past the token’s expiry', async () => {
    const { verifier, calls } = aCountingVerifier();
    const { cached, advance } = aCache(verifier);
    const longLived = await bearer('alice');
    const shortLived = await bearer('bob', 5);
    await cached.callerFrom(longLived);
    await cached.callerFrom(shortLived);

    advance(6_000);
    await cached.callerFrom(shortLived);
    advance(60_000);
    await cached.callerFrom(longLived);

    expect(calls).toEqual([longLived, shortLived, shortLived, longLived]);
  });

  it('never remembers a refusal', async () => {
    const { verifier, calls } = aCountingVerifier();
    const { cached } = aCache(verifier);
    const forged = await bearer('forged-admin');

    await expect(cached.callerFrom(forged)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(cached.callerFrom(forged)).rejects.toBeInstanceOf(Unauthenticated);
    expect(calls).toHaveLength(2);
  });

  it('keeps at most maxEntries tokens, the oldest verified going first', async () => {
    const { verifier, calls } = aCountingVerifier();
    const { cached } = aCache(verifier, { maxEntries: 2 });
    const [a, b, c] = await Promise.all([bearer('a'), bearer('b'), bearer('c')]);
    for (const token of [a, b, c, c, b, a]) await cached.callerFrom(token);
    expect(calls).toEqual([a, b, c, a]);
  });

  it('with maxEntries 0, verifies every time', async () => {
    const { verifier, calls } = aCountingVerifier();
    const { cached } = aCache(verifier, { maxEntries: 0 });
    const alice = await bearer('alice');
    await cached.callerFrom(alice);
    await cached.callerFrom(alice);
    expect(calls).toHaveLength(2);
  });
});
