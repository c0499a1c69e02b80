/** The reservation subgraph's configuration: read from the environment once, validated. */
import { z } from 'zod';
import {
  integer,
  parseConfig,
  transactionalSubgraphConfigFrom,
  transactionalSubgraphEnv,
} from '../../platform/config.ts';

const positiveInt = (defaultValue: number) => integer(1, 1_000_000, defaultValue);

const schema = z.object({
  ...transactionalSubgraphEnv({ name: 'reservation', port: 4002, embeddedPort: 54332 }),
  TICKET_SERVICE_URL: z.url().default('http://127.0.0.1:4001/graphql'),
  TICKET_CALL_TIMEOUT_MS: positiveInt(2000),
  TICKET_BREAKER_FAILURES: positiveInt(5),
  TICKET_BREAKER_HALF_OPEN_AFTER_MS: positiveInt(5000),
  TICKET_BULKHEAD_LIMIT: positiveInt(32),
  TICKET_BULKHEAD_QUEUE: integer(0, 1_000_000, 64),
  TICKET_CALL_MAX_ATTEMPTS: positiveInt(2),
});

export function loadReservationConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseConfig(schema, env);
  return {
    ...transactionalSubgraphConfigFrom('reservation', parsed),
    ticketUrl: parsed.TICKET_SERVICE_URL,
    ticketCallPolicy: {
      timeoutMs: parsed.TICKET_CALL_TIMEOUT_MS,
      breakerFailures: parsed.TICKET_BREAKER_FAILURES,
      halfOpenAfterMs: parsed.TICKET_BREAKER_HALF_OPEN_AFTER_MS,
      bulkheadLimit: parsed.TICKET_BULKHEAD_LIMIT,
      bulkheadQueue: parsed.TICKET_BULKHEAD_QUEUE,
      maxAttempts: parsed.TICKET_CALL_MAX_ATTEMPTS,
    },
  };
}

export type ReservationConfig = ReturnType<typeof loadReservationConfig>;
