/**
 * What the HTTP edge learns about a request while it runs, for its one log line: the GraphQL
 * layer adds the operation and the caller without knowing about the HTTP server, and the server
 * writes the line when the response is sent.
 *
 * The HTTP edge puts the record in the GraphQL context (`requestRecord`). It used to travel in an
 * AsyncLocalStorage, whose async hooks ran for every promise of the process: 2–3 % of the CPU per
 * request of each subgraph and the gateway (docs/performance.md).
 */
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

/** A context the HTTP edge gave its request's record (absent when a test executes an operation directly). */
export interface RecordedContext {
  requestRecord?: RequestRecord;
}

/** Adds to the request's record; does nothing without one. */
export function annotateRequest(
  record: RequestRecord | undefined,
  fields: Partial<Omit<RequestRecord, 'correlationId'>>,
): void {
  if (record) Object.assign(record, fields);
}
