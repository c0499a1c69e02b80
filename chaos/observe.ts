/**
 * Looks at the system from outside: whether it has gone quiet (every process ready, every outbox
 * published, every consumer caught up, no reservation attempt pending, the view caught up), and a
 * snapshot of what it holds — straight from each subgraph's database, through the gateway, and
 * on the view's boards — for the checker.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { natsServers } from '../platform/config.ts';
import type { DatabaseServiceName, ServiceName } from '../system/topology.ts';
import type { ReservationRow, Snapshot, TicketReading, TicketRow } from './checker.ts';
import type { User } from './workload.ts';
import { postGraphQL } from './workload.ts';

export interface ObservedSystem {
  gatewayUrl: string;
  /** `http://127.0.0.1:<port>` of every process, for its health endpoints. */
  baseUrls: Record<ServiceName, string>;
  databaseUrls: Record<DatabaseServiceName, string>;
  natsUrl: string;
  stream: string;
  /** Durable consumers that apply events to a database (recording each in its inbox). */
  consumers: { name: string; database: DatabaseServiceName; applies(event: OutboxEvent): boolean }[];
  adminToken: string;
  users: User[];
}

/** An event as its producer's outbox holds it. */
export interface OutboxEvent {
  id: string;
  type: string;
  /** The user's grade, on reservation events. */
  grade: string | null;
}

async function rows<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, query_timeout: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end().catch(() => {});
  }
}

async function count(url: string, sql: string): Promise<number> {
  return (await rows<{ n: number }>(url, sql))[0]?.n ?? 0;
}

const UNPUBLISHED = 'SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL';
/** An event whose consumer wrote its effect's event more than once was applied twice. */
const DUPLICATE_EFFECTS = `SELECT count(*)::int AS n FROM (
  SELECT envelope->>'causationId', type FROM outbox_event
  WHERE envelope->>'causationId' IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) duplicates`;

/** Reservation attempts neither confirmed nor abandoned (the table is absent before the crash-safe saga). */
async function pendingAttempts(url: string): Promise<number> {
  const [table] = await rows<{ name: string | null }>(url, "SELECT to_regclass('reservation_attempt')::text AS name");
  return table?.name ? count(url, 'SELECT count(*)::int AS n FROM reservation_attempt') : 0;
}

async function withJetStream<T>(
  system: ObservedSystem,
  work: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>,
): Promise<T> {
  const connection = await connect({ servers: natsServers(system.natsUrl), timeout: 3000 });
  try {
    return await work(await jetstreamManager(connection));
  } finally {
    await connection.close();
  }
}

/** Why the system is not quiet yet; empty once it is. */
export async function unsettled(system: ObservedSystem): Promise<string[]> {
  const reasons: string[] = [];
  const readiness = await Promise.all(
    Object.entries(system.baseUrls).map(async ([name, base]) => {
      const response = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(3000) }).catch(
        () => undefined,
      );
      const body = response?.ok ? ((await response.json()) as { lag?: number | null }) : undefined;
      return { name, body };
    }),
  );
  for (const { name, body } of readiness) {
    if (!body) reasons.push(`${name} not ready`);
    else if (name === 'view' && body.lag !== 0) reasons.push(`view lag ${body.lag}`);
  }
  if (reasons.length > 0) return reasons;
  for (const [name, url] of Object.entries(system.databaseUrls)) {
    const backlog = await count(url, UNPUBLISHED);
    if (backlog > 0) reasons.push(`${name} outbox backlog ${backlog}`);
  }
  const attempts = await pendingAttempts(system.databaseUrls.reservation);
  if (attempts > 0) reasons.push(`${attempts} reservation attempts pending`);
  await withJetStream(system, async (jsm) => {
    for (const consumer of system.consumers) {
      const info = await jsm.consumers.info(system.stream, consumer.name);
      if (info.num_pending > 0 || info.num_ack_pending > 0) {
        reasons.push(`consumer ${consumer.name}: ${info.num_pending} pending, ${info.num_ack_pending} unacknowledged`);
      }
    }
  });
  return reasons;
}

interface Connection<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every node of a keyset-paginated connection. */
async function readAll<T>(
  system: ObservedSystem,
  query: string,
  field: string,
  variables: Record<string, unknown> = {},
): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  do {
    const answer = await postGraphQL(system.gatewayUrl, query, {
      variables: { ...variables, after },
      token: system.adminToken,
      timeoutMs: 15_000,
    });
    const page = answer.data?.[field] as Connection<T> | undefined;
    if (!page) throw new Error(`${field} could not be read: ${JSON.stringify(answer.errors)}`);
    nodes.push(...page.edges.map((edge) => edge.node));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return nodes;
}

const API_TICKETS = `query Tickets($after: String) { tickets(first: 100, after: $after) {
  edges { node { id status price { vipDiscount finalPrice } } } pageInfo { hasNextPage endCursor } } }`;
const TICKET_BOARD = `query TicketBoard($after: String) { ticketBoard(first: 100, after: $after) {
  edges { node { ticketId status vipDiscount finalPrice } } pageInfo { hasNextPage endCursor } } }`;
const RESERVATION_BOARD = `query ReservationBoard($userId: ID, $after: String) {
  reservationBoard(userId: $userId, first: 100, after: $after) {
    edges { node { reservationId status } } pageInfo { hasNextPage endCursor } } }`;

export async function takeSnapshot(system: ObservedSystem): Promise<Snapshot> {
  const { ticket, reservation, price } = system.databaseUrls;
  const outboxes = (
    await Promise.all(
      Object.values(system.databaseUrls).map((url) =>
        rows<OutboxEvent>(url, "SELECT id::text, type, envelope->'data'->>'userGrade' AS grade FROM outbox_event"),
      ),
    )
  ).flat();
  const consumers = await Promise.all(
    system.consumers.map(async (consumer) => {
      const inbox = await rows<{ id: string }>(
        system.databaseUrls[consumer.database],
        'SELECT id::text FROM inbox_event',
      );
      return {
        consumer: consumer.name,
        expected: outboxes.filter((event) => consumer.applies(event)).map((event) => event.id),
        applied: inbox.map((event) => event.id),
      };
    }),
  );
  const apiTickets = await readAll<{
    id: string;
    status: string;
    price: { vipDiscount: number; finalPrice: number } | null;
  }>(system, API_TICKETS, 'tickets');
  const reservationBoard = (
    await Promise.all(
      system.users.map((user) =>
        readAll<{ reservationId: string; status: string }>(system, RESERVATION_BOARD, 'reservationBoard', {
          userId: user.id,
        }),
      ),
    )
  ).flat();
  return {
    tickets: await rows<TicketRow>(
      ticket,
      'SELECT id::text, state::text AS state, held_by::text AS "heldBy" FROM ticket',
    ),
    reservations: await rows<ReservationRow>(
      reservation,
      `SELECT r.id::text, r.ticket_id::text AS "ticketId", r.user_id AS "userId", r.user_grade::text AS grade,
         r.status::text AS status, o.envelope->>'correlationId' AS "correlationId"
       FROM reservation r
       LEFT JOIN outbox_event o ON o.type = 'TicketReserved' AND o.envelope->>'reservationId' = r.id::text`,
    ),
    prices: await rows(
      price,
      `SELECT ticket_id::text AS "ticketId", base_price AS "basePrice", policy_discount AS "policyDiscount",
         vip_discount AS "vipDiscount", final_price AS "finalPrice" FROM price`,
    ),
    appliedVipAdjustments: await rows(
      price,
      `SELECT reservation_id::text AS "reservationId", ticket_id::text AS "ticketId" FROM vip_adjustment WHERE state = 'APPLIED'`,
    ),
    apiTickets: apiTickets.map((node): TicketReading => ({
      ticketId: node.id,
      status: node.status,
      vipDiscount: node.price?.vipDiscount ?? null,
      finalPrice: node.price?.finalPrice ?? null,
    })),
    ticketBoard: await readAll<TicketReading>(system, TICKET_BOARD, 'ticketBoard'),
    reservationBoard,
    unpublishedEvents: (
      await Promise.all(Object.values(system.databaseUrls).map((url) => count(url, UNPUBLISHED)))
    ).reduce((sum, n) => sum + n, 0),
    deadLetters: await withJetStream(system, async (jsm) => {
      const info = await jsm.streams.info(`${system.stream}_DEAD_LETTERS`).catch(() => undefined);
      return info?.state.messages ?? 0;
    }),
    consumers,
    duplicateEffects: (await count(ticket, DUPLICATE_EFFECTS)) + (await count(price, DUPLICATE_EFFECTS)),
    pendingAttempts: await pendingAttempts(reservation),
  };
}
