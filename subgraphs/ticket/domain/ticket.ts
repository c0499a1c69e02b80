/** The ticket aggregate as the domain sees it, and the rules of its status. */
export type TicketState = 'AVAILABLE' | 'RESERVED';
export type TicketStatus = 'AVAILABLE' | 'RESERVED' | 'EXPIRED';

export interface Ticket {
  id: string;
  name: string;
  startsAt: Date;
  expiresAt: Date;
  state: TicketState;
  /** The reservation holding the ticket while it is RESERVED. */
  heldBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An AVAILABLE ticket past its expiry is EXPIRED; a reserved one stays RESERVED. */
export function statusOf(ticket: Pick<Ticket, 'state' | 'expiresAt'>, now: Date): TicketStatus {
  if (ticket.state === 'RESERVED') return 'RESERVED';
  return ticket.expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : 'AVAILABLE';
}

export function isHeldBy(ticket: Pick<Ticket, 'state' | 'heldBy'>, reservationId: string): boolean {
  return ticket.state === 'RESERVED' && ticket.heldBy === reservationId;
}
