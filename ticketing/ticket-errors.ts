/**
 * The refusals of the ticket hold, shared by the ticket subgraph (which decides them) and the
 * reservation subgraph (which relays them to its caller): a small shared kernel.
 */
import { DomainError } from './errors.ts';

abstract class TicketError extends DomainError {
  constructor(
    readonly ticketId: string,
    message: string,
  ) {
    super(message);
  }
  override get details() {
    return { ticketId: this.ticketId };
  }
}

export class TicketNotFound extends TicketError {
  readonly code = 'TICKET_NOT_FOUND';
  constructor(ticketId: string) {
    super(ticketId, `ticket ${ticketId} does not exist`);
  }
}

export class TicketNotAvailable extends TicketError {
  readonly code = 'TICKET_NOT_AVAILABLE';
  constructor(ticketId: string) {
    super(ticketId, `ticket ${ticketId} is not available`);
  }
}

export class TicketExpired extends TicketError {
  readonly code = 'TICKET_EXPIRED';
  constructor(ticketId: string) {
    super(ticketId, `ticket ${ticketId} has expired`);
  }
}
