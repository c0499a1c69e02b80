/**
 * Many users reserving and cancelling a few tickets through the gateway, with bounded concurrency
 * and a client timeout on every request; every operation and its outcome goes into the history.
 */
import { issueUserToken } from '../platform/auth/tokens.ts';
import type { AuthConfig } from '../platform/config.ts';
import { outcomeOf, type Grade, type GraphQLAnswer, type Operation } from './history.ts';
import type { Random } from './random.ts';

const RESERVE = 'mutation Reserve($ticketId: ID!) { reserveTicket(ticketId: $ticketId) { id } }';
const CANCEL = 'mutation Cancel($id: ID!) { cancelReservation(id: $id) { id status } }';
const REGISTER = 'mutation Register($input: RegisterTicketInput!) { registerTicket(input: $input) { id } }';

const DAY = 24 * 60 * 60 * 1000;

export interface User {
  id: string;
  grade: Grade;
  token: string;
}

/** POST one GraphQL request; throws on no answer (timeout, connection) so the caller can count it. */
export async function postGraphQL(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; token?: string; correlationId?: string; timeoutMs: number },
): Promise<GraphQLAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.correlationId ? { 'x-correlation-id': options.correlationId } : {}),
    },
    body: JSON.stringify({ query, variables: options.variables }),
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  const text = await response.text();
  try {
    return { status: response.status, ...(JSON.parse(text) as Omit<GraphQLAnswer, 'status'>) };
  } catch {
    return { status: response.status, errors: [{ message: text.slice(0, 200) }] };
  }
}

export async function createUsers(auth: AuthConfig, prefix: string, count: number): Promise<User[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      // Every third user is a VIP, so prices move with who holds a ticket.
      const grade: Grade = i % 3 === 0 ? 'VIP' : 'NORMAL';
      const id = `${prefix}-user-${i}`;
      return { id, grade, token: await issueUserToken(auth, { sub: id, roles: ['USER'], grade }, { expiresIn: '6h' }) };
    }),
  );
}

export interface WorkloadOptions {
  gatewayUrl: string;
  random: Random;
  users: User[];
  tickets: string[];
  /** Prefix of operation ids (unique per run). */
  runId: string;
  concurrency: number;
  timeoutMs: number;
  /** Longest pause of a client between two operations. */
  maxPauseMs: number;
}

export class Workload {
  readonly history: Operation[] = [];
  private sequence = 0;
  private running = false;
  private clients: Promise<void>[] = [];
  /** Reservations each user was told they hold (cancelled when acknowledged). */
  private readonly held = new Map<string, Set<Operation>>();

  constructor(private readonly options: WorkloadOptions) {}

  /** One reserve by `user`, recorded; resolves with its operation. */
  async reserve(user: User, ticketId: string): Promise<Operation> {
    const operation = await this.send('reserve', user, ticketId, RESERVE, { ticketId });
    if (operation.outcome === 'ok') this.heldBy(user).add(operation);
    return operation;
  }

  async cancel(user: User, reserved: Operation): Promise<Operation> {
    const operation = await this.send(
      'cancel',
      user,
      reserved.ticketId,
      CANCEL,
      { id: reserved.reservationId },
      reserved.reservationId,
    );
    if (operation.outcome === 'ok' || operation.code === 'RESERVATION_ALREADY_CANCELLED') {
      this.heldBy(user).delete(reserved);
    }
    return operation;
  }

  /** Starts `concurrency` clients that run until `stop`. */
  start(): void {
    this.running = true;
    this.clients = Array.from({ length: this.options.concurrency }, () => this.client());
  }

  /** Stops the clients; resolves once every operation in flight has its outcome. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.clients);
  }

  private async client(): Promise<void> {
    const { random, users, tickets, maxPauseMs } = this.options;
    while (this.running) {
      const user = random.pick(users);
      const held = [...this.heldBy(user)];
      if (held.length > 0 && random.chance(0.5)) await this.cancel(user, random.pick(held));
      else await this.reserve(user, random.pick(tickets));
      await new Promise((resolve) => setTimeout(resolve, random.int(0, maxPauseMs)));
    }
  }

  private heldBy(user: User): Set<Operation> {
    let held = this.held.get(user.id);
    if (!held) this.held.set(user.id, (held = new Set()));
    return held;
  }

  private async send(
    kind: Operation['kind'],
    user: User,
    ticketId: string,
    query: string,
    variables: Record<string, unknown>,
    reservationId?: string,
  ): Promise<Operation> {
    const id = `${this.options.runId}-${(this.sequence += 1)}`;
    const startedAt = Date.now();
    const answer = await postGraphQL(this.options.gatewayUrl, query, {
      variables,
      token: user.token,
      correlationId: id,
      timeoutMs: this.options.timeoutMs,
    }).catch((error: Error) => error);
    const { outcome, code } = outcomeOf(answer);
    const answered = answer instanceof Error ? undefined : (answer.data?.reserveTicket as { id: string } | undefined);
    const operation: Operation = {
      id,
      kind,
      userId: user.id,
      grade: user.grade,
      ticketId,
      reservationId: reservationId ?? answered?.id,
      outcome,
      code,
      startedAt,
      endedAt: Date.now(),
    };
    this.history.push(operation);
    return operation;
  }
}

/** Registers `count` tickets as an admin (set-up, not part of the history). */
export async function registerTickets(
  gatewayUrl: string,
  adminToken: string,
  count: number,
  label: string,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const input = {
      name: `${label} ${i}`,
      startsAt: new Date(Date.now() + DAY).toISOString(),
      expiresAt: new Date(Date.now() + 30 * DAY).toISOString(),
      basePrice: 10_000 + i * 1000,
    };
    const answer = await postGraphQL(gatewayUrl, REGISTER, {
      variables: { input },
      token: adminToken,
      timeoutMs: 30_000,
    });
    const ticket = answer.data?.registerTicket as { id: string } | undefined;
    if (!ticket) throw new Error(`could not register a ticket: ${JSON.stringify(answer.errors)}`);
    ids.push(ticket.id);
  }
  return ids;
}
