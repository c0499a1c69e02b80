/** Prometheus metrics of the HTTP edge, registered once per registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface HttpMetrics {
  /** Starts timing a request; the returned function records it with its route and status. */
  observe(method: string, route: string): (status: number) => void;
}

/** Reuses a metric already registered under the name (a second server on the same registry). */
export function registered<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = registered(
    registry,
    'http_requests_total',
    () =>
      new Counter({
        name: 'http_requests_total',
        help: 'HTTP requests answered, by method, route and status code',
        labelNames,
        registers: [registry],
      }),
  );
  const duration = registered(
    registry,
    'http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'Time from request to the last byte of the response, by method, route and status code',
        labelNames,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
  );
  const inFlight = registered(
    registry,
    'http_requests_in_flight',
    () =>
      new Gauge({
        name: 'http_requests_in_flight',
        help: 'HTTP requests being handled now',
        registers: [registry],
      }),
  );
  return {
    observe(method, route) {
      inFlight.inc();
      const end = duration.startTimer();
      return (status) => {
        inFlight.dec();
        const labels = { method, route, status: String(status) };
        end(labels);
        requests.inc(labels);
      };
    },
  };
}
