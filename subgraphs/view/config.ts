/** The view subgraph's configuration: read from the environment once, validated. */
import os from 'node:os';
import { z } from 'zod';
import { integer, parseConfig, subgraphConfigFrom, subgraphEnv } from '../../platform/config.ts';

const schema = z.object({
  ...subgraphEnv(4004),
  /** This replica's own folder for its SQLite store (never shared between replicas). */
  VIEW_DATA_DIR: z.string().default('.data/view'),
  /** Names this replica's consumers on the NATS server; default: the host name (the pod's, in Kubernetes). */
  VIEW_INSTANCE_ID: z
    .string()
    .max(64)
    .default(() => os.hostname()),
  /** Stream changes a subscription may fall behind by before it is failed (the gateway resumes it from its last position). */
  VIEW_SUBSCRIPTION_QUEUE_EVENTS: integer(1, 1_000_000, 10_000),
  /** How often the gateway's subscription connections are pinged, in ms. */
  VIEW_SUBSCRIPTION_KEEP_ALIVE_MS: integer(1000, 600_000, 12_000),
});

export function loadViewConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseConfig(schema, env);
  return {
    ...subgraphConfigFrom(parsed),
    dataDir: parsed.VIEW_DATA_DIR,
    instanceId: parsed.VIEW_INSTANCE_ID,
    subscriptions: {
      queueEvents: parsed.VIEW_SUBSCRIPTION_QUEUE_EVENTS,
      keepAliveMs: parsed.VIEW_SUBSCRIPTION_KEEP_ALIVE_MS,
    },
  };
}

export type ViewConfig = ReturnType<typeof loadViewConfig>;

/** A consumer name prefix NATS accepts, from whatever the instance id is. */
export function consumerPrefixOf(config: Pick<ViewConfig, 'instanceId'>): string {
  return `view_${config.instanceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
