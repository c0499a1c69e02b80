/** Wiring of the ticket subgraph: configuration in, a running subgraph out. */
import { readSchema } from '../../platform/graphql/subgraph-server.ts';
import type { Logger } from '../../platform/logging.ts';
import { startSubgraphProcess, type RunningSubgraph } from '../../platform/subgraph-process.ts';
import type { TicketConfig } from './config.ts';
import { createTicketDatabase } from './data/prisma.ts';
import { seedDemoTickets } from './data/seed-demo-tickets.ts';
import { createTicketRepository } from './data/ticket-repository.ts';
import type { TicketDeps } from './domain/ports.ts';
import { ticketEventHandlers } from './events/ticket-event-handlers.ts';
import { createTicketContext, resolvers } from './graphql/resolvers.ts';

export const ticketTypeDefs = readSchema(new URL('./schema.graphql', import.meta.url));

export function startTicketService(config: TicketConfig, logger?: Logger): Promise<RunningSubgraph> {
  return startSubgraphProcess({
    name: 'ticket',
    config,
    logger,
    createDatabase: createTicketDatabase,
    wire: (db, relay, log, _metrics, reads) => {
      const deps: TicketDeps = { tickets: createTicketRepository(db, relay.wake, reads), clock: () => new Date() };
      return {
        typeDefs: ticketTypeDefs,
        resolvers,
        extendContext: (base) => createTicketContext(base, deps),
        consumer: { durableName: config.consumerName, handlers: ticketEventHandlers(deps), settings: config.consumer },
        afterStart: config.seedDemoData ? () => seedDemoTickets(deps, log) : undefined,
      };
    },
  });
}
