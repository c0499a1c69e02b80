/** Who is calling: derived from a verified token, never from anything the client merely says. */
import { Forbidden, Unauthenticated } from './errors.ts';

export type Role = 'USER' | 'ADMIN';
export type UserGrade = 'NORMAL' | 'VIP';

export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; roles: readonly Role[]; grade: UserGrade }
  | { kind: 'service'; service: string };

export type UserCaller = Extract<Caller, { kind: 'user' }>;

export const anonymous: Caller = { kind: 'anonymous' };

export function isAdmin(caller: Caller): boolean {
  return caller.kind === 'user' && caller.roles.includes('ADMIN');
}

export function assertUser(caller: Caller): asserts caller is UserCaller {
  if (caller.kind !== 'user') throw new Unauthenticated();
}

export function assertAdmin(caller: Caller): asserts caller is UserCaller {
  assertUser(caller);
  if (!isAdmin(caller)) throw new Forbidden('requires the ADMIN role');
}

export function assertService(caller: Caller, service: string): void {
  if (caller.kind !== 'service' || caller.service !== service) {
    throw new Forbidden(`only the ${service} service may do this`);
  }
}

/** The id a log line may carry; never the token. */
export function callerId(caller: Caller): string | undefined {
  if (caller.kind === 'user') return caller.userId;
  if (caller.kind === 'service') return `service:${caller.service}`;
  return undefined;
}
