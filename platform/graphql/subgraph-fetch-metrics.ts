/**
 * The gateway's calls to its subgraphs, timed by subgraph and outcome: `success`, `error` (the
 * subgraph answered with GraphQL errors) or `failure` (no usable answer: refused, reset, timed
 * out, an HTTP error status).
 */
import type { GraphQLDataSource } from '@apollo/gateway';
import { Histogram, type Registry } from 'prom-client';
import { registered } from '../http/http-metrics.ts';

export type SubgraphFetchOutcome = 'success' | 'error' | 'failure';

export function createSubgraphFetchMetrics(registry: Registry): Histogram<'subgraph' | 'outcome'> {
  return registered(
    registry,
    'gateway_subgraph_request_duration_seconds',
    () =>
      new Histogram({
        name: 'gateway_subgraph_request_duration_seconds',
        help: 'Time of a gateway fetch from a subgraph, by subgraph and outcome (success, error, failure)',
        labelNames: ['subgraph', 'outcome'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
  );
}

/** Wraps a data source's `process` so every fetch is timed; returns the same data source. */
export function instrumentSubgraphFetches<TSource extends GraphQLDataSource<never>>(
  source: TSource,
  subgraph: string,
  duration: Histogram<'subgraph' | 'outcome'>,
): TSource {
  const process = source.process.bind(source);
  source.process = async (options) => {
    const end = duration.startTimer({ subgraph });
    try {
      const response = await process(options);
      end({ outcome: response.errors?.length ? 'error' : 'success' });
      return response;
    } catch (error) {
      end({ outcome: 'failure' });
      throw error;
    }
  };
  return source;
}
