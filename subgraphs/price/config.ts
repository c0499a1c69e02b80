/** The price subgraph's configuration: read from the environment once, validated. */
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
  ...databaseEnv({ name: 'price', embeddedPort: 54333 }),
  PORT: port(4003),
  /** The durable consumer shared by every price replica. */
  PRICE_CONSUMER: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('price'),
});

export function loadPriceConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseConfig(schema, env);
  return {
    port: parsed.PORT,
    production: parsed.NODE_ENV === 'production',
    logLevel: parsed.LOG_LEVEL,
    lifecycle: lifecycleConfigFrom(parsed),
    auth: authConfigFrom(parsed),
    nats: natsConfigFrom(parsed),
    database: databaseConfigFrom('price', parsed),
    consumerName: parsed.PRICE_CONSUMER,
    consumer: consumerConfigFrom(parsed),
  };
}

export type PriceConfig = ReturnType<typeof loadPriceConfig>;
