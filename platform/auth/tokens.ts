/**
 * JWT verification (gateway and every subgraph) and issuing (the `token` script and the
 * reservation → ticket service identity), with `jose`.
 *
 * User tokens: HS256 with `JWT_SECRET`, or any JWKS algorithm with `JWT_JWKS_URL`.
 * Service tokens: HS256 with `SERVICE_TOKEN_SECRET` and the audience `ticketing-internal`;
 * they are accepted only by subgraphs, never by the gateway.
 */
import { webcrypto } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import type { AuthConfig } from '../config.ts';
import { Unauthenticated } from '../../ticketing/errors.ts';
import { anonymous, type Caller, type Role, type UserGrade } from '../../ticketing/caller.ts';
import { withVerifiedTokenCache } from './verified-token-cache.ts';

export const SERVICE_AUDIENCE = 'ticketing-internal';

const userClaims = z.object({
  sub: z.string().min(1).max(200),
  roles: z.array(z.enum(['USER', 'ADMIN'])).default(['USER']),
  grade: z.enum(['NORMAL', 'VIP']).default('NORMAL'),
});

const serviceClaims = z.object({ sub: z.string().regex(/^service:[a-z-]+$/) });

export interface TokenVerifier {
  /** Resolves the caller of a request from its `Authorization` header; throws `Unauthenticated`. */
  callerFrom(authorization: string | undefined): Promise<Caller>;
}

export function createTokenVerifier(config: AuthConfig, options: { acceptServiceTokens: boolean }): TokenVerifier {
  const userKey = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : hmacKey(config.jwtSecret);
  const serviceKey = hmacKey(config.serviceTokenSecret);

  async function verifyUser(token: string): Promise<Caller> {
    if (isServiceToken(token)) throw new Unauthenticated('service tokens are not accepted here');
    const key = typeof userKey === 'function' ? userKey : await userKey;
    const { payload } = await jwtVerify(token, key, {
      algorithms: config.jwksUrl ? undefined : ['HS256'],
      issuer: config.issuer,
      audience: config.audience,
    });
    const claims = userClaims.safeParse(payload);
    if (!claims.success) throw new Unauthenticated('token claims are invalid');
    return { kind: 'user', userId: claims.data.sub, roles: claims.data.roles, grade: claims.data.grade };
  }

  async function verifyService(token: string): Promise<Caller> {
    const { payload } = await jwtVerify(token, await serviceKey, { algorithms: ['HS256'], audience: SERVICE_AUDIENCE });
    const claims = serviceClaims.safeParse(payload);
    if (!claims.success) throw new Unauthenticated('service token claims are invalid');
    return { kind: 'service', service: claims.data.sub.slice('service:'.length) };
  }

  const verifier: TokenVerifier = {
    async callerFrom(authorization) {
      if (!authorization) return anonymous;
      const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      if (!match) throw new Unauthenticated('the Authorization header must be "Bearer <token>"');
      const token = match[1]!;
      try {
        return options.acceptServiceTokens && isServiceToken(token)
          ? await verifyService(token)
          : await verifyUser(token);
      } catch (error) {
        if (error instanceof Unauthenticated) throw error;
        throw new Unauthenticated(describeJoseError(error));
      }
    },
  };
  return withVerifiedTokenCache(verifier, { maxEntries: config.verifiedTokenCacheSize, maxAgeSeconds: 60 });
}

/**
 * An HS256 secret imported once: given the raw bytes, jose imports them again on every
 * verification, which was a third of the cost of verifying a token.
 */
function hmacKey(secret: string): Promise<webcrypto.CryptoKey> {
  const key = webcrypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  // Awaited when a token is verified; never an unhandled rejection before that.
  key.catch(() => {});
  return key;
}

function isServiceToken(token: string): boolean {
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch {
    return false;
  }
  const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  return audience.includes(SERVICE_AUDIENCE);
}

function describeJoseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_JWT_EXPIRED') return 'token has expired';
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'token signature is invalid';
  return 'token is invalid';
}

export interface UserTokenClaims {
  sub: string;
  roles: Role[];
  grade: UserGrade;
}

/** Signs a user token with the configured HS256 secret (for Sandbox, scripts and tests). */
export async function issueUserToken(
  config: AuthConfig,
  claims: UserTokenClaims,
  options: { expiresIn?: string | number } = {},
): Promise<string> {
  let jwt = new SignJWT({ roles: claims.roles, grade: claims.grade })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (config.issuer) jwt = jwt.setIssuer(config.issuer);
  if (config.audience) jwt = jwt.setAudience(config.audience);
  return jwt.sign(new TextEncoder().encode(config.jwtSecret));
}

/** Signs a short-lived service token: the identity one subgraph presents to another. */
export async function issueServiceToken(config: AuthConfig, service: string, lifetimeSeconds = 300): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(`service:${service}`)
    .setAudience(SERVICE_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + lifetimeSeconds)
    .sign(new TextEncoder().encode(config.serviceTokenSecret));
}
