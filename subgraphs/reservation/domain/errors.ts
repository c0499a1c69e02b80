import { DomainError } from '../../../ticketing/errors.ts';

export class ReservationNotFound extends DomainError {
  readonly code = 'RESERVATION_NOT_FOUND';
  constructor(readonly reservationId: string) {
    super(`reservation ${reservationId} does not exist`);
  }
  override get details() {
    return { reservationId: this.reservationId };
  }
}

export class ReservationAlreadyCancelled extends DomainError {
  readonly code = 'RESERVATION_ALREADY_CANCELLED';
  constructor(readonly reservationId: string) {
    super(`reservation ${reservationId} is already cancelled`);
  }
  override get details() {
    return { reservationId: this.reservationId };
  }
}

/** The fallback: the ticket service cannot answer now (circuit open, timeout, overload). */
export class TicketServiceUnavailable extends DomainError {
  readonly code = 'TICKET_SERVICE_UNAVAILABLE';
  constructor(
    readonly retryAfterSeconds: number,
    /** True when the hold may have been applied although no answer came back. */
    readonly outcomeUnknown: boolean,
    options?: { cause?: unknown },
  ) {
    super(`the ticket service is busy; please try again in ${retryAfterSeconds} s`, options);
  }
  override get details() {
    return { retryAfterSeconds: this.retryAfterSeconds };
  }
}
