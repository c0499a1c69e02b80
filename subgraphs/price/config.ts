/** The price subgraph's configuration: read from the environment once, validated. */
import { z } from 'zod';
import {
  consumerConfigFrom,
  consumerEnv,
  consumerName,
  parseConfig,
  transactionalSubgraphConfigFrom,
  transactionalSubgraphEnv,
} from '../../platform/config.ts';

const schema = z.object({
  ...transactionalSubgraphEnv({ name: 'price', port: 4003, embeddedPort: 54333 }),
  ...consumerEnv,
  /** The durable consumer shared by every price replica. */
  PRICE_CONSUMER: consumerName('price'),
});

export function loadPriceConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseConfig(schema, env);
  return {
    ...transactionalSubgraphConfigFrom('price', parsed),
    consumerName: parsed.PRICE_CONSUMER,
    consumer: consumerConfigFrom(parsed),
  };
}

export type PriceConfig = ReturnType<typeof loadPriceConfig>;
