import { DomainError } from '../../../platform/errors.ts';

export class TicketNotFound extends DomainError {
  readonly code = 'TICKET_NOT_FOUND';
  constructor(readonly ticketId: string) {
    super(`ticket ${ticketId} does not exist`);
  }
  override get details() {
    return { ticketId: this.ticketId };
  }
}

export class TicketNotAvailable extends DomainError {
  readonly code = 'TICKET_NOT_AVAILABLE';
  constructor(readonly ticketId: string) {
    super(`ticket ${ticketId} is not available`);
  }
  override get details() {
    return { ticketId: this.ticketId };
  }
}

export class TicketExpired extends DomainError {
  readonly code = 'TICKET_EXPIRED';
  constructor(readonly ticketId: string) {
    super(`ticket ${ticketId} has expired`);
  }
  override get details() {
    return { ticketId: this.ticketId };
  }
}
