/** Test data builders: valid by default, overridden where a test cares. */
const HOUR = 60 * 60 * 1000;

export interface TicketInput {
  name: string;
  startsAt: string;
  expiresAt: string;
  basePrice: number;
  currency?: string;
}

let sequence = 0;

export function aTicket(overrides: Partial<TicketInput> = {}): TicketInput {
  sequence += 1;
  const now = Date.now();
  return {
    name: `Test concert #${sequence}`,
    startsAt: new Date(now + 24 * HOUR).toISOString(),
    expiresAt: new Date(now + 48 * HOUR).toISOString(),
    basePrice: 100_000,
    ...overrides,
  };
}
