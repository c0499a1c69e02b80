/**
 * An Apollo Server plugin, installed in the gateway and every subgraph: GraphQL operations
 * counted and timed by operation name and type, errors counted by code, and the operation and
 * caller added to the request's log line (see platform/http/request-scope.ts).
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Counter, Histogram, type Registry } from 'prom-client';
import { callerId, type Caller } from '../../ticketing/caller.ts';
import { registered } from '../http/http-metrics.ts';
import { annotateRequest, type RecordedContext } from '../http/request-scope.ts';

export interface OperationMetricsOptions {
  /**
   * Distinct operation names kept as label values (default 200); later names are counted as
   * `(other)`. Clients choose operation names, so they must not grow the metrics without bound.
   */
  maxOperationNames?: number;
}

/** Label value for a request that never reached an operation (it did not parse or validate). */
export const INVALID_OPERATION = '(invalid)';

export function createOperationMetricsPlugin<TContext extends BaseContext & RecordedContext & { caller?: Caller }>(
  registry: Registry,
  options: OperationMetricsOptions = {},
): ApolloServerPlugin<TContext> {
  const operations = registered(
    registry,
    'graphql_operations_total',
    () =>
      new Counter({
        name: 'graphql_operations_total',
        help: 'GraphQL operations answered, by operation name, type and outcome (success, error)',
        labelNames: ['operation', 'type', 'outcome'],
        registers: [registry],
      }),
  );
  const duration = registered(
    registry,
    'graphql_operation_duration_seconds',
    () =>
      new Histogram({
        name: 'graphql_operation_duration_seconds',
        help: 'Time to answer a GraphQL operation, from parsing to the response, by operation name and type',
        labelNames: ['operation', 'type'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
  );
  const errors = registered(
    registry,
    'graphql_errors_total',
    () =>
      new Counter({
        name: 'graphql_errors_total',
        help: 'Errors in GraphQL responses, by operation name and error code',
        labelNames: ['operation', 'code'],
        registers: [registry],
      }),
  );
  const maxNames = options.maxOperationNames ?? 200;
  const knownNames = new Set<string>();

  function operationLabel(name: string | null | undefined): string {
    const label = name || '(anonymous)';
    if (knownNames.has(label)) return label;
    if (knownNames.size >= maxNames) return '(other)';
    knownNames.add(label);
    return label;
  }

  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      const userId = contextValue.caller ? callerId(contextValue.caller) : undefined;
      const record = contextValue.requestRecord;
      if (userId) annotateRequest(record, { userId });
      return {
        async willSendResponse({ operation, operationName, response }) {
          const name = operation ? operationLabel(operationName) : INVALID_OPERATION;
          const type = operation?.operation ?? 'unknown';
          const body = response.body;
          const formatted = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const codes = (formatted ?? []).map((error) => String(error.extensions?.code ?? 'UNKNOWN'));
          duration.observe({ operation: name, type }, (performance.now() - started) / 1000);
          operations.inc({ operation: name, type, outcome: codes.length > 0 ? 'error' : 'success' });
          for (const code of codes) errors.inc({ operation: name, code });
          annotateRequest(record, {
            operation: operation ? (operationName ?? '(anonymous)') : INVALID_OPERATION,
            operationType: type,
            errorCodes: codes,
          });
        },
      };
    },
  };
}
