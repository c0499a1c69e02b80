/** Wiring of the reservation subgraph: configuration in, a running subgraph out. */
import { readSchema } from '../../platform/graphql/subgraph-server.ts';
import type { Logger } from '../../platform/logging.ts';
import { startSubgraphProcess, type RunningSubgraph } from '../../platform/subgraph-process.ts';
import { createTicketHoldClient } from './clients/ticket-hold-client.ts';
import { createTicketCallPolicy } from './clients/ticket-hold-policy.ts';
import type { ReservationConfig } from './config.ts';
import { createReservationDatabase } from './data/prisma.ts';
import { createReservationRepository } from './data/reservation-repository.ts';
import type { ReservationDeps } from './domain/ports.ts';
import { createReservationContext, resolvers } from './graphql/resolvers.ts';

export const reservationTypeDefs = readSchema(new URL('./schema.graphql', import.meta.url));

export function startReservationService(config: ReservationConfig, logger?: Logger): Promise<RunningSubgraph> {
  return startSubgraphProcess({
    name: 'reservation',
    config,
    logger,
    createDatabase: createReservationDatabase,
    wire: (db, relay, log, metrics) => {
      const deps: ReservationDeps = {
        reservations: createReservationRepository(db, relay.wake),
        ticketHolds: createTicketHoldClient({
          ticketUrl: config.ticketUrl,
          auth: config.auth,
          callPolicy: createTicketCallPolicy(config.ticketCallPolicy, log, metrics),
        }),
        clock: () => new Date(),
        logger: log,
      };
      return {
        typeDefs: reservationTypeDefs,
        resolvers,
        extendContext: (base) => createReservationContext(base, deps),
      };
    },
  });
}
