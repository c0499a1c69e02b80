/** Wiring of the reservation subgraph: configuration in, a running subgraph out. */
import { readSchema } from '../../platform/graphql/subgraph-server.ts';
import type { Logger } from '../../platform/logging.ts';
import { startSubgraphProcess, type RunningSubgraph } from '../../platform/subgraph-process.ts';
import { createTicketHoldClient } from './clients/ticket-hold-client.ts';
import { createTicketCallPolicy } from './clients/ticket-hold-policy.ts';
import type { ReservationConfig } from './config.ts';
import { createReservationDatabase } from './data/prisma.ts';
import { createReservationRepository, pendingAttemptStats } from './data/reservation-repository.ts';
import type { ReservationDeps } from './domain/ports.ts';
import { createTakenTicketMemory } from './domain/taken-tickets.ts';
import { createReservationContext, resolvers } from './graphql/resolvers.ts';
import { createSagaMetrics, startAttemptSweeper } from './jobs/attempt-sweeper.ts';

export const reservationTypeDefs = readSchema(new URL('./schema.graphql', import.meta.url));

export function startReservationService(config: ReservationConfig, logger?: Logger): Promise<RunningSubgraph> {
  return startSubgraphProcess({
    name: 'reservation',
    config,
    logger,
    createDatabase: createReservationDatabase,
    wire: (db, relay, log, metrics, reads) => {
      const deps: ReservationDeps = {
        reservations: createReservationRepository(db, relay.wake, reads),
        ticketHolds: createTicketHoldClient({
          ticketUrl: config.ticketUrl,
          auth: config.auth,
          callPolicy: createTicketCallPolicy(config.ticketCallPolicy, log, metrics),
        }),
        takenTickets: createTakenTicketMemory(config.takenTicketMemory),
        clock: () => new Date(),
        logger: log,
        saga: createSagaMetrics(metrics, () => pendingAttemptStats(db)),
      };
      return {
        typeDefs: reservationTypeDefs,
        resolvers,
        extendContext: (base) => createReservationContext(base, deps),
        startBackgroundWork: () => startAttemptSweeper(deps, config.attemptSweep, log),
      };
    },
  });
}
