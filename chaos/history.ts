/**
 * What the clients did, Jepsen-style: every operation is unique (its id travels as the request's
 * correlation id, so the system's own records point back to it) and ends in one of three ways.
 * `ok`: acknowledged, so it must be reflected. `failed`: refused with a code that means nothing
 * happened, so it must have left nothing behind. `indeterminate`: no answer (timeout, connection
 * lost, an error that does not say), so it may or may not have happened.
 */
export type Outcome = 'ok' | 'failed' | 'indeterminate';
export type Grade = 'NORMAL' | 'VIP';

export interface Operation {
  /** Unique; sent as `x-correlation-id`. */
  id: string;
  kind: 'reserve' | 'cancel';
  userId: string;
  grade: Grade;
  ticketId: string;
  /** cancel: the reservation cancelled; reserve: the reservation answered (when ok). */
  reservationId?: string;
  outcome: Outcome;
  /** failed: the error code; indeterminate: what was seen instead of an answer. */
  code?: string;
  startedAt: number;
  endedAt: number;
}

/**
 * Codes after which the operation certainly changed nothing (a rule refused it, or the hold was
 * refused or given up and compensated). Anything else — INTERNAL_SERVER_ERROR, a subgraph the
 * gateway could not reach — leaves the outcome open.
 */
const DEFINITE_FAILURES = new Set([
  'TICKET_NOT_AVAILABLE',
  'TICKET_NOT_FOUND',
  'TICKET_EXPIRED',
  'TICKET_SERVICE_UNAVAILABLE',
  'RESERVATION_NOT_FOUND',
  'RESERVATION_ALREADY_CANCELLED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
]);

export interface GraphQLAnswer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** How one answer (or the lack of one) counts. */
export function outcomeOf(answer: GraphQLAnswer | Error): { outcome: Outcome; code?: string } {
  if (answer instanceof Error) {
    // Refused at connect: the request never reached the gateway.
    if ((answer.cause as { code?: string } | undefined)?.code === 'ECONNREFUSED')
      return { outcome: 'failed', code: 'CONNECTION_REFUSED' };
    return { outcome: 'indeterminate', code: answer.name === 'TimeoutError' ? 'TIMEOUT' : 'CONNECTION_LOST' };
  }
  const code = answer.errors?.[0]?.extensions?.code;
  if (!answer.errors?.length && answer.data) return { outcome: 'ok' };
  if (typeof code === 'string' && DEFINITE_FAILURES.has(code)) return { outcome: 'failed', code };
  return { outcome: 'indeterminate', code: typeof code === 'string' ? code : `HTTP_${answer.status}` };
}
