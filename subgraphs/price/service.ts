/** Wiring of the price subgraph: configuration in, a running subgraph out. */
import { readSchema } from '../../platform/graphql/subgraph-server.ts';
import type { Logger } from '../../platform/logging.ts';
import { startSubgraphProcess, type RunningSubgraph } from '../../platform/subgraph-process.ts';
import type { PriceConfig } from './config.ts';
import { createPriceRepository } from './data/price-repository.ts';
import { createPriceDatabase } from './data/prisma.ts';
import type { PriceDeps } from './domain/ports.ts';
import { priceEventHandlers } from './events/price-event-handlers.ts';
import { createPriceContext, resolvers } from './graphql/resolvers.ts';

export const priceTypeDefs = readSchema(new URL('./schema.graphql', import.meta.url));

export function startPriceService(config: PriceConfig, logger?: Logger): Promise<RunningSubgraph> {
  return startSubgraphProcess({
    name: 'price',
    config,
    logger,
    createDatabase: createPriceDatabase,
    wire: (db, relay, _log, _metrics, reads, pool) => {
      const deps: PriceDeps = { prices: createPriceRepository(db, relay.wake, reads, pool) };
      return {
        typeDefs: priceTypeDefs,
        resolvers,
        extendContext: (base) => createPriceContext(base, deps),
        consumer: { durableName: config.consumerName, handlers: priceEventHandlers(deps), settings: config.consumer },
      };
    },
  });
}
