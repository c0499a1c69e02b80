/** The ticket subgraph's configuration: read from the environment once, validated. */
import { z } from 'zod';
import {
  consumerConfigFrom,
  consumerEnv,
  consumerName,
  flag,
  parseConfig,
  transactionalSubgraphConfigFrom,
  transactionalSubgraphEnv,
} from '../../platform/config.ts';

const schema = z.object({
  ...transactionalSubgraphEnv({ name: 'ticket', port: 4001, embeddedPort: 54331 }),
  ...consumerEnv,
  /** The durable consumer shared by every ticket replica. */
  TICKET_CONSUMER: consumerName('ticket'),
  /** Registers a few demo tickets when the database has none. */
  SEED_DEMO_DATA: flag(false),
});

export function loadTicketConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseConfig(schema, env);
  return {
    ...transactionalSubgraphConfigFrom('ticket', parsed),
    consumerName: parsed.TICKET_CONSUMER,
    consumer: consumerConfigFrom(parsed),
    seedDemoData: parsed.SEED_DEMO_DATA,
  };
}

export type TicketConfig = ReturnType<typeof loadTicketConfig>;
