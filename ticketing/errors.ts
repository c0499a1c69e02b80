/**
 * Every business rule that can refuse a request has its own error class with a stable code.
 * Only the GraphQL layer turns these into GraphQL errors (see platform/graphql/errors.ts).
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // A refusal is an answer, not a fault: where it was thrown tells nobody anything, and the
    // GraphQL layer reads `stack` of every error it wraps. Formatting it (source-mapped when run
    // from TypeScript) was 4.6 % of ticket's CPU and 2 % of reservation's in a flash sale.
    this.stack = `${this.constructor.name}: ${message}`;
  }

  /** Extra, client-safe facts to put in `extensions` next to the code. */
  get details(): Record<string, unknown> {
    return {};
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** A value the client sent is invalid; `field` names it (for example `input.expiresAt`). */
export class InvalidInput extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
  override get details() {
    return { field: this.field };
  }
}

export class Unauthenticated extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'authentication required') {
    super(message);
  }
}

export class Forbidden extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(message = 'not allowed') {
    super(message);
  }
}
