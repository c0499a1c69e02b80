/** The reservation subgraph's configuration: read from the environment once, validated. */
import { z } from 'zod';
import {
  ConfigError,
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
  /**
   * A ticket seen taken is refused from memory for this long, without asking ticket (a flash
   * sale's losers); 0 asks ticket every time. See domain/taken-tickets.ts.
   */
  TAKEN_TICKET_MEMORY_MS: integer(0, 60_000, 1000),
  /** A reservation attempt not confirmed within this time is abandoned by the sweeper. */
  PENDING_RESERVATION_TIMEOUT_MS: integer(100, 3_600_000, 15_000),
  /** How often every replica sweeps for such attempts. */
  PENDING_RESERVATION_SWEEP_INTERVAL_MS: integer(50, 600_000, 1000),
});

/**
 * The longest a hold call can take under the policy: every attempt waits behind a full bulkhead
 * queue (the timeout starts only once it runs) and then times out, with backoff (≤ 500 ms) between.
 */
function longestHoldCallMs(parsed: z.output<typeof schema>): number {
  const queuedRounds = Math.ceil(parsed.TICKET_BULKHEAD_QUEUE / parsed.TICKET_BULKHEAD_LIMIT);
  const perAttempt = parsed.TICKET_CALL_TIMEOUT_MS * (1 + queuedRounds);
  return perAttempt * parsed.TICKET_CALL_MAX_ATTEMPTS + 500 * (parsed.TICKET_CALL_MAX_ATTEMPTS - 1);
}

export function loadReservationConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseConfig(schema, env);
  // A shorter bound would abandon holds that are still on their way back, refusing reservations
  // that ticket granted.
  if (parsed.PENDING_RESERVATION_TIMEOUT_MS <= longestHoldCallMs(parsed)) {
    throw new ConfigError(
      `invalid configuration:\n  PENDING_RESERVATION_TIMEOUT_MS: must exceed the longest hold call ` +
        `(${longestHoldCallMs(parsed)} ms with these TICKET_CALL_* and TICKET_BULKHEAD_* settings)`,
    );
  }
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
    takenTicketMemory: { lifetimeMs: parsed.TAKEN_TICKET_MEMORY_MS, maxEntries: 100_000 },
    attemptSweep: {
      attemptTimeoutMs: parsed.PENDING_RESERVATION_TIMEOUT_MS,
      intervalMs: parsed.PENDING_RESERVATION_SWEEP_INTERVAL_MS,
      batchSize: 100,
    },
  };
}

export type ReservationConfig = ReturnType<typeof loadReservationConfig>;
