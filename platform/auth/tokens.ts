/**
 * JWT verification (gateway and every subgraph) and issuing (the `token` script and the
 * reservation → ticket service identity).
 *
 * User tokens: HS256 with `JWT_SECRET`, or any JWKS algorithm with `JWT_JWKS_URL`.
 * Service tokens: HS256 with `SERVICE_TOKEN_SECRET` and the audience `ticketing-internal`;
 * they are accepted only by subgraphs, never by the gateway.
 *
 * HS256 tokens are verified with `fast-jwt`, synchronously on node:crypto's HMAC; JWKS tokens
 * and signing stay with `jose`. jose verifies through WebCrypto, whose every call is a job on
 * libuv's thread pool: 0.26 ms of the gateway's CPU per new token and 0.2 ms of reservation's in a
 * flash sale (`npm run bench`, entry flash-sale), where every caller brings a token not yet cached.
 */
import { SignJWT, createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { createVerifier, TokenError } from 'fast-jwt';
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
  const userPayloadOf = config.jwksUrl
    ? jwksVerifier(config.jwksUrl, config)
    : hmacVerifier(config.jwtSecret, { issuer: config.issuer, audience: config.audience });
  const servicePayloadOf = hmacVerifier(config.serviceTokenSecret, { audience: SERVICE_AUDIENCE });

  async function verifyUser(token: string): Promise<Caller> {
    if (isServiceToken(token)) throw new Unauthenticated('service tokens are not accepted here');
    const claims = userClaims.safeParse(await userPayloadOf(token));
    if (!claims.success) throw new Unauthenticated('token claims are invalid');
    return { kind: 'user', userId: claims.data.sub, roles: claims.data.roles, grade: claims.data.grade };
  }

  async function verifyService(token: string): Promise<Caller> {
    const claims = serviceClaims.safeParse(servicePayloadOf(token));
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
        throw new Unauthenticated(describeVerificationError(error));
      }
    },
  };
  return withVerifiedTokenCache(verifier, { maxEntries: config.verifiedTokenCacheSize, maxAgeSeconds: 60 });
}

interface ExpectedClaims {
  issuer?: string;
  audience?: string;
}

/**
 * HS256 with `secret`: signature, `exp`, `nbf`, and the issuer and audience when expected (a
 * token without the claim is refused, as jose refuses it).
 */
function hmacVerifier(secret: string, expected: ExpectedClaims): (token: string) => unknown {
  return createVerifier({
    key: secret,
    algorithms: ['HS256'],
    allowedIss: expected.issuer,
    allowedAud: expected.audience,
    requiredClaims: [...(expected.issuer ? ['iss'] : []), ...(expected.audience ? ['aud'] : [])],
    cache: false,
  });
}

/** Any algorithm of the key set at `url`, fetched and refreshed by jose. */
function jwksVerifier(url: string, expected: ExpectedClaims): (token: string) => Promise<unknown> {
  const keys = createRemoteJWKSet(new URL(url));
  return async (token) =>
    (await jwtVerify(token, keys, { issuer: expected.issuer, audience: expected.audience })).payload;
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

function describeVerificationError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_JWT_EXPIRED' || code === TokenError.codes.expired) return 'token has expired';
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === TokenError.codes.invalidSignature) {
    return 'token signature is invalid';
  }
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
