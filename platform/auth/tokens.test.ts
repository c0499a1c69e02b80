import { describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { authConfigFrom, type AuthConfig } from '../config.ts';
import { Unauthenticated } from '../../ticketing/errors.ts';
import type { Role, UserGrade } from '../../ticketing/caller.ts';
import {
  createTokenVerifier,
  issueServiceToken,
  issueUserToken,
  SERVICE_AUDIENCE,
  type UserTokenClaims,
} from './tokens.ts';

const auth = authConfigFrom({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
const OTHER_SECRET = 'a-secret-this-system-does-not-know-0123456789';

/** The gateway never accepts service tokens; subgraphs do. */
const gateway = createTokenVerifier(auth, { acceptServiceTokens: false });
const subgraph = createTokenVerifier(auth, { acceptServiceTokens: true });

function claimsOf(overrides: { sub?: string; roles?: Role[]; grade?: UserGrade } = {}): UserTokenClaims {
  return { sub: overrides.sub ?? 'user-1', roles: overrides.roles ?? ['USER'], grade: overrides.grade ?? 'NORMAL' };
}

const bearer = (token: string) => `Bearer ${token}`;
const secondsFromNow = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

async function refusalOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the token to be refused');
}

async function expectUnauthenticated(work: () => Promise<unknown>): Promise<void> {
  const error = await refusalOf(work);
  expect(error).toBeInstanceOf(Unauthenticated);
  expect(error).toMatchObject({ code: 'UNAUTHENTICATED' });
}

describe('user tokens', () => {
  it('when a token from issueUserToken is presented, it verifies to that user with their roles and grade', async () => {
    const token = await issueUserToken(auth, claimsOf({ sub: 'alice', roles: ['USER', 'ADMIN'], grade: 'VIP' }));

    await expect(gateway.callerFrom(bearer(token))).resolves.toEqual({
      kind: 'user',
      userId: 'alice',
      roles: ['USER', 'ADMIN'],
      grade: 'VIP',
    });
  });

  it('when a subgraph verifies a user token, it resolves to the same user as the gateway does', async () => {
    const token = await issueUserToken(auth, claimsOf({ sub: 'bob', grade: 'NORMAL' }));

    await expect(subgraph.callerFrom(bearer(token))).resolves.toEqual(await gateway.callerFrom(bearer(token)));
  });

  it('when the scheme is written in lower case, the token is still accepted', async () => {
    const token = await issueUserToken(auth, claimsOf({ sub: 'carol' }));

    await expect(gateway.callerFrom(`bearer ${token}`)).resolves.toMatchObject({ kind: 'user', userId: 'carol' });
  });

  it('when a token carries no roles or grade, the caller is a NORMAL USER', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('dave')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(auth.jwtSecret));

    await expect(gateway.callerFrom(bearer(token))).resolves.toEqual({
      kind: 'user',
      userId: 'dave',
      roles: ['USER'],
      grade: 'NORMAL',
    });
  });

  it('when there is no Authorization header, the caller is anonymous', async () => {
    await expect(gateway.callerFrom(undefined)).resolves.toEqual({ kind: 'anonymous' });
    await expect(gateway.callerFrom('')).resolves.toEqual({ kind: 'anonymous' });
  });

  it.each([
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['no scheme', 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln'],
    ['a scheme without a token', 'Bearer'],
    ['two tokens', 'Bearer one two'],
    ['a token that is not a JWT', 'Bearer not-a-jwt'],
  ])('when the header has %s, it is refused with UNAUTHENTICATED', async (_case, header) => {
    await expectUnauthenticated(() => gateway.callerFrom(header));
    await expectUnauthenticated(() => subgraph.callerFrom(header));
  });

  it('when the token is signed with another secret, it is refused with UNAUTHENTICATED', async () => {
    const forged = await issueUserToken({ ...auth, jwtSecret: OTHER_SECRET }, claimsOf({ roles: ['ADMIN'] }));

    await expectUnauthenticated(() => gateway.callerFrom(bearer(forged)));
    await expectUnauthenticated(() => subgraph.callerFrom(bearer(forged)));
  });

  it('when the token has expired, it is refused with UNAUTHENTICATED', async () => {
    const expired = await issueUserToken(auth, claimsOf(), { expiresIn: secondsFromNow(-60) });

    const error = await refusalOf(() => gateway.callerFrom(bearer(expired)));

    expect(error).toBeInstanceOf(Unauthenticated);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', message: 'token has expired' });
  });

  it('when the token claims a role that does not exist, it is refused with UNAUTHENTICATED', async () => {
    const token = await new SignJWT({ roles: ['SUPERUSER'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('eve')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(auth.jwtSecret));

    await expectUnauthenticated(() => gateway.callerFrom(bearer(token)));
  });

  it('when the verifier expects an audience, a token issued for no audience is refused', async () => {
    const withAudience: AuthConfig = { ...auth, audience: 'ticketing-api' };
    const token = await issueUserToken(auth, claimsOf());

    await expectUnauthenticated(() =>
      createTokenVerifier(withAudience, { acceptServiceTokens: false }).callerFrom(bearer(token)),
    );
    await expect(
      createTokenVerifier(withAudience, { acceptServiceTokens: false }).callerFrom(
        bearer(await issueUserToken(withAudience, claimsOf())),
      ),
    ).resolves.toMatchObject({ kind: 'user' });
  });

  it('when the verifier expects an issuer, a token with no issuer or another one is refused', async () => {
    const withIssuer: AuthConfig = { ...auth, issuer: 'https://id.example' };
    const verifier = createTokenVerifier(withIssuer, { acceptServiceTokens: false });
    const noIssuer = await issueUserToken(auth, claimsOf());
    const otherIssuer = await issueUserToken({ ...auth, issuer: 'https://other.example' }, claimsOf());

    await expectUnauthenticated(() => verifier.callerFrom(bearer(noIssuer)));
    await expectUnauthenticated(() => verifier.callerFrom(bearer(otherIssuer)));
    await expect(verifier.callerFrom(bearer(await issueUserToken(withIssuer, claimsOf())))).resolves.toMatchObject({
      kind: 'user',
    });
  });
});

describe('service tokens', () => {
  it('when a subgraph is presented a service token, the caller is that service', async () => {
    const token = await issueServiceToken(auth, 'reservation');

    await expect(subgraph.callerFrom(bearer(token))).resolves.toEqual({ kind: 'service', service: 'reservation' });
  });

  it('when the gateway is presented a service token, it is refused with UNAUTHENTICATED', async () => {
    const token = await issueServiceToken(auth, 'reservation');

    await expectUnauthenticated(() => gateway.callerFrom(bearer(token)));
  });

  it('when a service token is signed with another secret, a subgraph refuses it', async () => {
    const token = await issueServiceToken({ ...auth, serviceTokenSecret: OTHER_SECRET }, 'reservation');

    await expectUnauthenticated(() => subgraph.callerFrom(bearer(token)));
  });

  it('when a service token has expired, a subgraph refuses it', async () => {
    const token = await issueServiceToken(auth, 'reservation', -60);

    await expectUnauthenticated(() => subgraph.callerFrom(bearer(token)));
  });

  it('when a user token claims the internal audience, it cannot pass as a service token', async () => {
    const token = await issueUserToken(
      { ...auth, audience: SERVICE_AUDIENCE },
      claimsOf({ sub: 'service:reservation' }),
    );

    await expectUnauthenticated(() => subgraph.callerFrom(bearer(token)));
  });
});
