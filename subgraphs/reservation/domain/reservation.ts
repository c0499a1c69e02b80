import type { UserGrade } from '../../../ticketing/caller.ts';

export type ReservationStatus = 'CONFIRMED' | 'CANCELLED';

export interface Reservation {
  id: string;
  ticketId: string;
  userId: string;
  userGrade: UserGrade;
  status: ReservationStatus;
  reservedAt: Date;
  cancelledAt: Date | null;
}
