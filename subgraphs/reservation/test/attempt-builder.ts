/** Test data for reservation attempts: valid by default, overridden where a test cares. */
import { randomUUID } from 'node:crypto';
import type { ReservationAttempt } from '../domain/reservation-attempt.ts';

export function anAttempt(overrides: Partial<ReservationAttempt> = {}): ReservationAttempt {
  return {
    id: randomUUID(),
    ticketId: randomUUID(),
    userId: `user-${randomUUID()}`,
    userGrade: 'NORMAL',
    correlationId: `request-${randomUUID()}`,
    ...overrides,
  };
}
