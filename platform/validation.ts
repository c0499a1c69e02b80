/** Small assertions for domain input; each names the offending field. */
import { InvalidInput } from '../ticketing/errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertId(field: string, value: string): void {
  if (!UUID.test(value)) throw new InvalidInput(field, 'must be a ticketing id (a UUID)');
}

export function assertValidDate(field: string, value: Date): void {
  if (Number.isNaN(value.getTime())) throw new InvalidInput(field, 'must be an ISO-8601 date-time');
}

export function assertNonEmpty(field: string, value: string, maxLength = 200): void {
  if (value.trim().length === 0) throw new InvalidInput(field, 'must not be empty');
  if (value.length > maxLength) throw new InvalidInput(field, `must be at most ${maxLength} characters`);
}

export function assertIntInRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInput(field, `must be an integer from ${min} to ${max}`);
  }
}
