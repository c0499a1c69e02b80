/** The ticket subgraph's configuration: read from the environment once, validated. */
import { z } from 'zod';
import {
  lifecycleConfigFrom,
  lifecycleEnv,
  authConfigFrom,
  commonEnv,
  consumerConfigFrom,
  consumerEnv,
  databaseConfigFrom,
  databaseEnv,
  flag,
  natsConfigFrom,
  natsEnv,
  parseConfig,
  port,
} from '../../platform/config.ts';

const schema = z.object({
  ...commonEnv,
  ...lifecycleEnv,
  ...natsEnv,
  ...consumerEnv,
  ...databaseEnv({ name: 'ticket', embeddedPort: 54331 }),
  PORT: port(4001),
  /** The durable consumer shared by every ticket replica. */
  TICKET_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('ticket'),
  /** Registers a few demo tickets when the database has none. */
  SEED_DEMO_DATA: flag(false),
});

export function loadTicketConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseConfig(schema, env);
  return {
    port: parsed.PORT,
    production: parsed.NODE_ENV === 'production',
    logLevel: parsed.LOG_LEVEL,
    lifecycle: lifecycleConfigFrom(parsed),
    auth: authConfigFrom(parsed),
    nats: natsConfigFrom(parsed),
    database: databaseConfigFrom('ticket', parsed),
    consumerName: parsed.TICKET_CONSUMER,
    consumer: consumerConfigFrom(parsed),
    seedDemoData: parsed.SEED_DEMO_DATA,
  };
}

export type TicketConfig = ReturnType<typeof loadTicketConfig>;
