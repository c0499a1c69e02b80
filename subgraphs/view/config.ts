/** The view subgraph's configuration: read from the environment once, validated. */
import os from 'node:os';
import { z } from 'zod';
import { parseConfig, subgraphConfigFrom, subgraphEnv } from '../../platform/config.ts';

const schema = z.object({
  ...subgraphEnv(4004),
  /** This replica's own folder for its SQLite store (never shared between replicas). */
  VIEW_DATA_DIR: z.string().default('.data/view'),
  /** Names this replica's consumers on the NATS server; default: the host name (the pod's, in Kubernetes). */
  VIEW_INSTANCE_ID: z
    .string()
    .max(64)
    .default(() => os.hostname()),
});

export function loadViewConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseConfig(schema, env);
  return {
    ...subgraphConfigFrom(parsed),
    dataDir: parsed.VIEW_DATA_DIR,
    instanceId: parsed.VIEW_INSTANCE_ID,
  };
}

export type ViewConfig = ReturnType<typeof loadViewConfig>;

/** A consumer name prefix NATS accepts, from whatever the instance id is. */
export function consumerPrefixOf(config: Pick<ViewConfig, 'instanceId'>): string {
  return `view_${config.instanceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
