/**
 * The synchronous call to the ticket subgraph: its internal holdTicket mutation, sent straight to
 * ticket (not through the gateway) with a service token, under the shared policy. Nothing here
 * releases a hold: compensation is the saga's HoldAbandoned event, never a direct call whose
 * outcome could be as unknown as the hold's.
 */
import { BrokenCircuitError, BulkheadRejectedError, TaskCancelledError } from 'cockatiel';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { print } from 'graphql';
import { issueServiceToken } from '../../../platform/auth/tokens.ts';
import type { AuthConfig } from '../../../platform/config.ts';
import { createKeepAliveFetcher } from '../../../platform/http/keep-alive-fetcher.ts';
import type { Causation } from '../../../ticketing/events/envelope.ts';
import { TicketExpired, TicketNotAvailable, TicketNotFound } from '../../../ticketing/ticket-errors.ts';
import { TicketServiceUnavailable } from '../domain/errors.ts';
import type { TicketHolds } from '../domain/ports.ts';
import {
  HoldTicketDocument,
  type HoldTicketMutation,
  type HoldTicketMutationVariables,
} from './ticket-hold.generated.ts';
import { TicketServiceFailure, type TicketCallPolicy } from './ticket-hold-policy.ts';

/** What the hold sends, printed once from its generated document (ticket-hold.graphql). */
const HOLD_TICKET_TEXT = print(HoldTicketDocument);

interface HoldResponse {
  data?: HoldTicketMutation | null;
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
  const fetcher = createKeepAliveFetcher();

  async function serviceToken(): Promise<string> {
    if (!token || Date.now() >= token.renewAt) {
      const value = await issueServiceToken(options.auth, SERVICE_NAME, TOKEN_LIFETIME_S);
      token = { value, renewAt: Date.now() + (TOKEN_LIFETIME_S / 2) * 1000 };
    }
    return token.value;
  }

  async function sendHold(ticketId: string, reservationId: string, causation: Causation, signal: AbortSignal) {
    const variables: HoldTicketMutationVariables = { ticketId, reservationId };
    let response: FetcherResponse;
    try {
      response = await fetcher(options.ticketUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await serviceToken()}`,
          'x-correlation-id': causation.correlationId,
        },
        body: JSON.stringify({ query: HOLD_TICKET_TEXT, variables }),
        signal,
      });
    } catch (error) {
      throw new TicketServiceFailure('ticket is unreachable', { cause: error });
    }
    if (response.status >= 500) throw new TicketServiceFailure(`ticket answered HTTP ${response.status}`);
    const body = (await response.json()) as HoldResponse;
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
        throw new Error(`ticket refused the hold: ${error.message}`);
    }
  }

  async function hold(ticketId: string, reservationId: string, causation: Causation) {
    // Whether any attempt went out, not just the last: a retry that meets the open circuit after
    // a first attempt timed out has still sent that first attempt, which ticket may yet apply.
    let sent = false;
    try {
      await options.callPolicy.execute('hold', causation.correlationId, (signal) => {
        sent = true;
        return sendHold(ticketId, reservationId, causation, signal);
      });
    } catch (error) {
      if (isUnanswered(error)) {
        throw new TicketServiceUnavailable(options.callPolicy.retryAfterSeconds(), sent, { cause: error });
      }
      throw error;
    }
  }

  return {
    hold,
    assertAcceptingHolds() {
      if (options.callPolicy.refusesNow()) {
        throw new TicketServiceUnavailable(options.callPolicy.retryAfterSeconds(), false);
      }
    },
  };
}

/** Refused by the policy (circuit open, bulkhead full), timed out, or failed without an answer. */
function isUnanswered(error: unknown): boolean {
  return (
    error instanceof BrokenCircuitError ||
    error instanceof BulkheadRejectedError ||
    error instanceof TaskCancelledError ||
    error instanceof TicketServiceFailure
  );
}
