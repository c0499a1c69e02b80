/** Tokens for every kind of caller the tests need, signed like `npm run token` signs them. */
import { SignJWT } from 'jose';
import type { Role, UserGrade } from '../../ticketing/caller.ts';
import { issueUserToken } from '../../platform/auth/tokens.ts';
import { authConfigFrom } from '../../platform/config.ts';

const auth = authConfigFrom({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });

export function tokenFor(sub: string, options: { role?: Role; grade?: UserGrade } = {}): Promise<string> {
  return issueUserToken(auth, { sub, roles: [options.role ?? 'USER'], grade: options.grade ?? 'NORMAL' });
}

export const adminToken = () => tokenFor('admin-1', { role: 'ADMIN' });

/** Signed with a secret the system does not know. */
export function forgedToken(sub = 'mallory'): Promise<string> {
  return new SignJWT({ roles: ['ADMIN'], grade: 'VIP' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('not-the-secret-of-this-system-0123456789'));
}

export function expiredToken(sub = 'late-user'): Promise<string> {
  return issueUserToken(
    auth,
    { sub, roles: ['USER'], grade: 'NORMAL' },
    { expiresIn: Math.floor(Date.now() / 1000) - 60 },
  );
}
