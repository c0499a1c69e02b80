/**
 * What the HTTP edge learns about a request while it runs, for its one log line: the GraphQL
 * layer adds the operation and the caller without knowing about the HTTP server, and the server
 * writes the line when the response is sent.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestRecord {
  correlationId: string;
  /** The GraphQL operation name, `(anonymous)`, or `(invalid)` for a request that did not parse. */
  operation?: string;
  operationType?: string;
  /** The caller's id (`callerId`), never the token. */
  userId?: string;
  /** The `extensions.code` of every error in the response. */
  errorCodes?: string[];
}

const scope = new AsyncLocalStorage<RequestRecord>();

export function runInRequestScope<T>(record: RequestRecord, run: () => T): T {
  return scope.run(record, run);
}

/** Adds to the current request's record; does nothing outside a request (a test calling a resolver). */
export function annotateRequest(fields: Partial<Omit<RequestRecord, 'correlationId'>>): void {
  const record = scope.getStore();
  if (record) Object.assign(record, fields);
}
