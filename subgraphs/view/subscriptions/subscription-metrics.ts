/** The view's subscription gauges: the gateway's connections, and the subscriptions on them. */
import { Gauge, type Registry } from 'prom-client';
import type { ChangeFeed } from './change-feed.ts';

export function measureSubscriptions(registry: Registry, feed: Pick<ChangeFeed, 'subscribers'>) {
  new Gauge({
    name: 'view_subscriptions_active',
    help: 'Subscriptions the view is feeding from the stream',
    registers: [registry],
    collect() {
      this.set(feed.subscribers());
    },
  });
  const connections = new Gauge({
    name: 'view_subscription_connections',
    help: 'Open GraphQL over WebSocket connections (from gateways)',
    registers: [registry],
  });
  return { connections: (open: number) => connections.set(open) };
}
