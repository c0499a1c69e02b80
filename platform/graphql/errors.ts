/**
 * The one place where errors become what a client sees. Domain errors keep their code and
 * client-safe details; known GraphQL errors keep their code; everything else is masked as
 * INTERNAL_SERVER_ERROR and logged in full. No stack trace or SQL ever leaves the process.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logging.ts';
import { isDomainError } from '../../ticketing/errors.ts';

/** Codes that may pass through unchanged: ours (docs/architecture.md §3) and Apollo's request errors. */
const PUBLIC_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'TICKET_NOT_FOUND',
  'TICKET_NOT_AVAILABLE',
  'TICKET_EXPIRED',
  'RESERVATION_NOT_FOUND',
  'RESERVATION_ALREADY_CANCELLED',
  'TICKET_SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
  // The gateway's limits (gateway/query-limits.ts, and the HTTP edge's body limit).
  'QUERY_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_DIRECTIVES',
  'TOO_MANY_TOKENS',
  'QUERY_TOO_COMPLEX',
  'REQUEST_TOO_LARGE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_REQUIRED',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Extension keys a client may see; anything else (stack traces, SQL, internals) is dropped. */
const PUBLIC_EXTENSION_KEYS = ['code', 'field', 'retryAfterSeconds', 'ticketId', 'reservationId'];

export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (isDomainError(original)) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: original.code, ...original.details },
      };
    }
    const causeCode = publicCodeOfCause(error);
    if (causeCode) {
      return { ...formatted, extensions: { ...pickPublicExtensions(formatted.extensions), code: causeCode } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
      return { ...formatted, extensions: pickPublicExtensions(formatted.extensions) };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error while executing a GraphQL request');
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/**
 * Apollo Server wraps what a validation rule reports in its own error and overwrites the code with
 * GRAPHQL_VALIDATION_FAILED; a limit's own code (QUERY_TOO_DEEP, …) survives on the cause.
 */
function publicCodeOfCause(error: unknown): string | undefined {
  if (!(error instanceof GraphQLError) || !(error.originalError instanceof GraphQLError)) return undefined;
  const code = error.originalError.extensions.code;
  return typeof code === 'string' && PUBLIC_CODES.has(code) ? code : undefined;
}

function pickPublicExtensions(extensions: Record<string, unknown> | undefined): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const key of PUBLIC_EXTENSION_KEYS) if (extensions?.[key] !== undefined) picked[key] = extensions[key];
  return picked;
}

/** A request-level error raised before any resolver runs (for example a bad token). */
export function requestError(code: string, message: string, httpStatus: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: httpStatus } } });
}
