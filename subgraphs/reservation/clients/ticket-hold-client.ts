/**
 * The synchronous call to the ticket subgraph: its internal holdTicket/releaseTicket mutations,
 * sent straight to ticket (not through the gateway) with a service token, under the shared policy.
 */
import { BrokenCircuitError, BulkheadRejectedError, TaskCancelledError } from 'cockatiel';
import { issueServiceToken } from '../../../platform/auth/tokens.ts';
import type { AuthConfig } from '../../../platform/config.ts';
import type { Causation } from '../../../platform/events/envelope.ts';
import { TicketExpired, TicketNotAvailable, TicketNotFound } from '../../../platform/ticket-errors.ts';
import { TicketServiceUnavailable } from '../domain/errors.ts';
import type { TicketHolds } from '../domain/ports.ts';
import { TicketServiceFailure, type TicketCallPolicy } from './ticket-hold-policy.ts';

export const HOLD_TICKET = /* GraphQL */ `
  mutation HoldTicket($ticketId: ID!, $reservationId: ID!) {
    holdTicket(ticketId: $ticketId, reservationId: $reservationId) {
      ticketId
      reservationId
      status
    }
  }
`;

export const RELEASE_TICKET = /* GraphQL */ `
  mutation ReleaseTicket($ticketId: ID!, $reservationId: ID!) {
    releaseTicket(ticketId: $ticketId, reservationId: $reservationId) {
      ticketId
      reservationId
      status
    }
  }
`;

interface GraphQLResponse {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

const SERVICE_NAME = 'reservation';
const TOKEN_LIFETIME_S = 300;

export function createTicketHoldClient(options: {
  ticketUrl: string;
  auth: AuthConfig;
  callPolicy: TicketCallPolicy;
}): TicketHolds {
  let token: { value: string; renewAt: number } | undefined;

  async function serviceToken(): Promise<string> {
    if (!token || Date.now() >= token.renewAt) {
      const value = await issueServiceToken(options.auth, SERVICE_NAME, TOKEN_LIFETIME_S);
      token = { value, renewAt: Date.now() + (TOKEN_LIFETIME_S / 2) * 1000 };
    }
    return token.value;
  }

  async function send(
    query: string,
    ticketId: string,
    reservationId: string,
    causation: Causation,
    signal: AbortSignal,
  ) {
    let response: Response;
    try {
      response = await fetch(options.ticketUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await serviceToken()}`,
          'x-correlation-id': causation.correlationId,
        },
        body: JSON.stringify({ query, variables: { ticketId, reservationId } }),
        signal,
      });
    } catch (error) {
      throw new TicketServiceFailure('ticket is unreachable', { cause: error });
    }
    if (response.status >= 500) throw new TicketServiceFailure(`ticket answered HTTP ${response.status}`);
    const body = (await response.json()) as GraphQLResponse;
    const error = body.errors?.[0];
    if (!error) return;
    switch (error.extensions?.code) {
      case 'TICKET_NOT_FOUND':
        throw new TicketNotFound(ticketId);
      case 'TICKET_NOT_AVAILABLE':
        throw new TicketNotAvailable(ticketId);
      case 'TICKET_EXPIRED':
        throw new TicketExpired(ticketId);
      default:
        // A refusal we did not expect (for example a rejected service token) is a fault, not a retry.
        throw new Error(
          `ticket refused ${query.includes('holdTicket') ? 'the hold' : 'the release'}: ${error.message}`,
        );
    }
  }

  async function call(query: string, ticketId: string, reservationId: string, causation: Causation) {
    try {
      const operation = query === HOLD_TICKET ? 'hold' : 'release';
      await options.callPolicy.execute(operation, causation.correlationId, (signal) =>
        send(query, ticketId, reservationId, causation, signal),
      );
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof BulkheadRejectedError) {
        // Never sent: nothing can have been held.
        throw new TicketServiceUnavailable(options.callPolicy.retryAfterSeconds(), false, { cause: error });
      }
      if (error instanceof TaskCancelledError || error instanceof TicketServiceFailure) {
        // Sent, but no answer: the hold may have been applied.
        throw new TicketServiceUnavailable(options.callPolicy.retryAfterSeconds(), true, { cause: error });
      }
      throw error;
    }
  }

  return {
    hold: (ticketId, reservationId, causation) => call(HOLD_TICKET, ticketId, reservationId, causation),
    release: (ticketId, reservationId, causation) => call(RELEASE_TICKET, ticketId, reservationId, causation),
  };
}
