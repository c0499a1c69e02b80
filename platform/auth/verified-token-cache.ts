/**
 * Remembers who a token belongs to once its signature has been verified, until it expires (and at
 * most `maxAgeSeconds`), so a client sending the same token request after request is verified
 * once rather than every time. Every process has one (`VERIFIED_TOKEN_CACHE_SIZE`): the gateway
 * and then each subgraph a request reaches check the token, each with its own key material, but
 * none of them pays for the signature of a token it has already verified. Verifying every request
 * cost the gateway a third more CPU per federated request (`npm run bench`, entry
 * gateway-optimisations) and the view a tenth of a board read.
 *
 * Refusals are never remembered: a forged or expired token is refused every time, and a flood of
 * distinct forged tokens cannot fill the cache. A signing key withdrawn from a JWKS stops tokens
 * it signed within `maxAgeSeconds`.
 */
import { decodeJwt } from 'jose';
import type { Caller } from '../../ticketing/caller.ts';
import type { TokenVerifier } from './tokens.ts';

export interface VerifiedTokenCacheOptions {
  /** Tokens remembered; the least recently verified go first. 0 turns the cache off. */
  maxEntries: number;
  maxAgeSeconds: number;
  /** Milliseconds since the epoch; injected by tests. */
  now?: () => number;
}

interface Entry {
  caller: Caller;
  /** Milliseconds since the epoch. */
  validUntil: number;
}

export function withVerifiedTokenCache(verifier: TokenVerifier, options: VerifiedTokenCacheOptions): TokenVerifier {
  if (options.maxEntries === 0) return verifier;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  return {
    async callerFrom(authorization) {
      if (!authorization) return verifier.callerFrom(authorization);
      const at = now();
      const cached = entries.get(authorization);
      if (cached && cached.validUntil > at) return cached.caller;
      if (cached) entries.delete(authorization);
      const caller = await verifier.callerFrom(authorization);
      const expiresAt = expiryOf(authorization);
      if (expiresAt !== undefined) {
        if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(authorization, { caller, validUntil: Math.min(expiresAt, at + options.maxAgeSeconds * 1000) });
      }
      return caller;
    },
  };
}

/** When a verified token expires, in ms; undefined for a token without `exp` (never cached). */
function expiryOf(authorization: string): number | undefined {
  const token = authorization.trim().split(/\s+/)[1];
  if (!token) return undefined;
  const { exp } = decodeJwt(token);
  return typeof exp === 'number' ? exp * 1000 : undefined;
}
