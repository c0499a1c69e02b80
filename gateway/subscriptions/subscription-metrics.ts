/** The gateway's subscription metrics, on its Prometheus registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type Transport = 'websocket' | 'sse';

export function createSubscriptionMetrics(registry: Registry) {
  const connections = new Gauge({
    name: 'subscription_connections',
    help: 'Open subscription connections (a WebSocket, or one Server-Sent Events stream)',
    labelNames: ['transport'],
    registers: [registry],
  });
  const active = new Gauge({
    name: 'subscriptions_active',
    help: 'Subscriptions running',
    labelNames: ['transport', 'field'],
    registers: [registry],
  });
  const delivered = new Counter({
    name: 'subscription_events_delivered_total',
    help: 'Subscription events handed to clients',
    labelNames: ['field'],
    registers: [registry],
  });
  const slowConsumers = new Counter({
    name: 'subscription_slow_consumers_dropped_total',
    help: 'Subscribers cut off because their buffer of undelivered events overflowed',
    labelNames: ['transport'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'subscriptions_refused_total',
    help: 'Subscriptions refused before they started, by code',
    labelNames: ['transport', 'code'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'subscription_delivery_latency_seconds',
    help: 'From when an event occurred to when its subscription result was handed to the client',
    labelNames: ['field'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    connectionOpened: (transport: Transport) => connections.inc({ transport }),
    connectionClosed: (transport: Transport) => connections.dec({ transport }),
    started: (transport: Transport, field: string) => active.inc({ transport, field }),
    ended: (transport: Transport, field: string) => active.dec({ transport, field }),
    refused: (transport: Transport, code: string) => refused.inc({ transport, code }),
    slowConsumer: (transport: Transport) => slowConsumers.inc({ transport }),
    delivered(field: string, occurredAt: string | undefined) {
      delivered.inc({ field });
      const at = occurredAt ? Date.parse(occurredAt) : NaN;
      if (!Number.isNaN(at)) latency.observe({ field }, Math.max(0, (Date.now() - at) / 1000));
    },
  };
}

export type SubscriptionMetrics = ReturnType<typeof createSubscriptionMetrics>;
