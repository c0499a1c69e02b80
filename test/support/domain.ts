/** Small helpers for tests of domain use cases. */
import { randomUUID } from 'node:crypto';
import type { Causation } from '../../ticketing/events/envelope.ts';

/** A client request that starts a use case, with a correlation id of its own. */
export function aCausation(overrides: Partial<Causation> = {}): Causation {
  return { correlationId: `request-${randomUUID()}`, causationId: null, ...overrides };
}

/** The error `work` is refused with; fails the test when it succeeds. */
export async function rejectionOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to be refused');
}
