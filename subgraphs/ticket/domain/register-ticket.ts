import { randomUUID } from 'node:crypto';
import { assertAdmin, type Caller } from '../../../ticketing/caller.ts';
import { InvalidInput } from '../../../ticketing/errors.ts';
import { newEvent, type Causation } from '../../../ticketing/events/envelope.ts';
import { assertIntInRange, assertNonEmpty, assertValidDate } from '../../../platform/validation.ts';
import type { TicketDeps } from './ports.ts';
import type { Ticket } from './ticket.ts';

export interface RegisterTicketInput {
  name: string;
  startsAt: Date;
  expiresAt: Date;
  basePrice: number;
  currency?: string | null;
}

export const DEFAULT_CURRENCY = 'KRW';
const MAX_PRICE = 1_000_000_000;

/** An admin registers a ticket; price assigns its base price and policy discount from the event. */
export async function registerTicket(
  deps: TicketDeps,
  caller: Caller,
  input: RegisterTicketInput,
  causation: Causation,
): Promise<Ticket> {
  assertAdmin(caller);
  const name = input.name.trim();
  assertNonEmpty('input.name', name);
  assertValidDate('input.startsAt', input.startsAt);
  assertValidDate('input.expiresAt', input.expiresAt);
  if (input.expiresAt.getTime() <= input.startsAt.getTime()) {
    throw new InvalidInput('input.expiresAt', 'must be after startsAt');
  }
  const now = deps.clock();
  if (input.expiresAt.getTime() <= now.getTime()) {
    throw new InvalidInput('input.expiresAt', 'must be in the future');
  }
  assertIntInRange('input.basePrice', input.basePrice, 0, MAX_PRICE);
  const currency = input.currency ?? DEFAULT_CURRENCY;
  if (!/^[A-Z]{3}$/.test(currency)) throw new InvalidInput('input.currency', 'must be an ISO-4217 code such as KRW');

  const ticket = { id: randomUUID(), name, startsAt: input.startsAt, expiresAt: input.expiresAt };
  const registered = newEvent(
    'TicketRegistered',
    { ticketId: ticket.id },
    {
      name,
      startsAt: ticket.startsAt.toISOString(),
      expiresAt: ticket.expiresAt.toISOString(),
      basePrice: input.basePrice,
      currency,
    },
    causation,
    now,
  );
  return deps.tickets.register(ticket, registered);
}
