/**
 * The system under test, started once for the whole run: every subgraph and both gateways as
 * processes of their own on loopback ports, with databases, a stream and secrets of this run's
 * own (all removed afterwards), and the data the entries read.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { SUBGRAPHS, SUPERGRAPH_PATH, type SubgraphName } from '../../gateway/composition.ts';
import { graphql } from '../../operations/client.ts';
import { RegisterTicketDocument, ReserveTicketStatusDocument } from '../../operations/documents.generated.ts';
import { issueUserToken } from '../../platform/auth/tokens.ts';
import { authConfigFrom, type AuthConfig } from '../../platform/config.ts';
import type { BenchConfig } from '../config.ts';
import { forEachConcurrently } from './for-each-concurrently.ts';
import type { WatchedProcess } from './cpu.ts';
import type { Profiler } from './profile.ts';
import { ROOT, startService, type ServiceProcess, type ServiceSpec } from '../../system/launcher.ts';
import { freePort } from '../../system/listening.ts';
import { withPgClient } from '../../system/postgres.ts';
import {
  DATABASE_SERVICES,
  SERVICE_NAMES,
  serviceEnv,
  serviceSpec,
  type ServiceName,
  type SystemLayout,
} from '../../system/topology.ts';

/** Subgraphs that keep their data in PostgreSQL; the bench gives each a database of its own. */
const POSTGRES_SUBGRAPHS = DATABASE_SERVICES;

export interface Stack {
  /** Our gateway (@apollo/gateway), as `npm start` runs it but in production mode. */
  gateway: ServiceProcess;
  /** Hive Gateway on the same committed supergraph and subgraphs. */
  hiveGateway: ServiceProcess;
  subgraphs: Partial<Record<SubgraphName, ServiceProcess>>;
  /** Why a composed subgraph is not running (the gateways answer for it with errors). */
  missing: Partial<Record<SubgraphName, string>>;
  /** Environment our gateway runs with (variants start from it). */
  gatewayEnv: Record<string, string>;
  /** Environment every process of this stack shares (secrets, NATS stream, log level). */
  sharedEnv: Record<string, string>;
  /** `<SUBGRAPH>_URL` for every running subgraph, as the gateways take them. */
  subgraphUrlEnv(): Record<string, string>;
  auth: AuthConfig;
  /** VIP users each holding `reservationsPerReader` reservations of priced tickets. */
  readers: { userId: string; token: string }[];
  reservationsPerReader: number;
  adminToken: string;
  /** Tokens of distinct VIP users, for writes. */
  userTokens: string[];
  databaseUrl: (subgraph: (typeof POSTGRES_SUBGRAPHS)[number]) => string;
  /** The role that created this run's databases (BENCH_DATABASE_URL). */
  adminDatabaseUrl: string;
  /** The system's own processes (subgraphs and our gateway), for CPU breakdowns. */
  watched(): WatchedProcess[];
  /** Every process this stack started and has not stopped (gateway variants and peers included). */
  running(): WatchedProcess[];
  /** Starts one more process that is stopped with the stack (a gateway variant, a fault proxy…). */
  startService(spec: ServiceSpec): Promise<ServiceProcess>;
  /** How many of these tickets price has given a VIP discount, read in price's database (no load on price). */
  vipDiscounted(ticketIds: string[]): Promise<number>;
  /** Registers `count` tickets through our gateway; resolves with their ids. */
  registerTickets(count: number, concurrency?: number): Promise<string[]>;
  stop(): Promise<void>;
}

const DAY = 24 * 60 * 60 * 1000;
/** Users whose reservations the federated query reads, taken in turn so no two concurrent requests are alike. */
const READERS = 32;
const RESERVATIONS_PER_READER = 10;
/** Tickets beyond the readers' share, for seeding reservations the ticket service refused. */
const SPARE_TICKETS = 64;
/** Times a ticket's registration is tried (the machine is shared: a request may time out). */
const REGISTER_ATTEMPTS = 3;
/** Readers seeding their reservations at once: gentle on a machine that is shared. */
const SEED_CONCURRENCY = 8;

export async function startStack(
  config: BenchConfig,
  log: (line: string) => void,
  profiler?: Profiler,
): Promise<Stack> {
  const suffix = randomBytes(4).toString('hex');
  const secrets = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    SERVICE_TOKEN_SECRET: randomBytes(32).toString('hex'),
  };
  const sharedEnv: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: config.logLevel,
    ...secrets,
    NATS_URL: config.natsUrl,
    NATS_STREAM: `BENCH_${suffix}`,
    NATS_SUBJECT_PREFIX: `bench_${suffix}`,
    // Nothing routes to these processes but the bench: they may stop at once.
    SHUTDOWN_DELAY_MS: '0',
  };
  const auth = authConfigFrom({ NODE_ENV: 'production', LOG_LEVEL: 'silent', ...secrets });
  const databaseNames = Object.fromEntries(POSTGRES_SUBGRAPHS.map((name) => [name, `bench_${name}_${suffix}`]));
  const databaseUrl = (name: (typeof POSTGRES_SUBGRAPHS)[number]) => {
    const url = new URL(config.databaseUrl);
    url.pathname = `/${databaseNames[name]}`;
    return url.toString();
  };
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const processes: ServiceProcess[] = [];
  const subgraphs: Partial<Record<SubgraphName, ServiceProcess>> = {};
  const missing: Partial<Record<SubgraphName, string>> = {};

  const startTracked = async (spec: ServiceSpec) => {
    const nodeOptions = [...(spec.nodeOptions ?? []), ...(profiler?.nodeOptions(spec.name) ?? [])];
    const service = await startService({ ...spec, nodeOptions });
    processes.push(service);
    return service;
  };

  const subgraphUrlEnv = () =>
    Object.fromEntries(Object.entries(subgraphs).map(([name, service]) => [`${name.toUpperCase()}_URL`, service.url]));

  async function stop(): Promise<void> {
    for (const service of processes.reverse()) await service.stop().catch(() => {});
    await withPgClient(config.databaseUrl, async (client) => {
      for (const name of Object.values(databaseNames))
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }).catch((error: Error) => log(`could not drop the bench databases: ${error.message}`));
    rmSync(scratchDir, { recursive: true, force: true });
    await deleteStream(config.natsUrl, sharedEnv.NATS_STREAM!).catch((error: Error) =>
      log(`could not delete stream ${sharedEnv.NATS_STREAM}: ${error.message}`),
    );
  }

  try {
    await withPgClient(config.databaseUrl, async (client) => {
      for (const name of Object.values(databaseNames)) await client.query(`CREATE DATABASE "${name}"`);
    });
    const layout: SystemLayout = {
      ports: Object.fromEntries(
        await Promise.all(SERVICE_NAMES.map(async (name) => [name, await freePort()] as const)),
      ) as Record<ServiceName, number>,
      sharedEnv,
      databaseUrls: Object.fromEntries(POSTGRES_SUBGRAPHS.map((name) => [name, databaseUrl(name)])),
      dataDir: scratchDir,
      overrides: {
        view: { VIEW_INSTANCE_ID: `bench_${suffix}` },
        gateway: {
          SUPERGRAPH_PATH,
          // Far above the load, so the limiter runs (its cost is measured) but never refuses.
          RATE_LIMIT_PER_SECOND: '1000000',
          RATE_LIMIT_BURST: '1000000',
          // The subscription fan-out's thousand watchers come from one address, anonymous.
          SUBSCRIPTIONS_PER_CALLER: '100000',
        },
      },
    };
    log('starting subgraphs');
    subgraphs.ticket = await startTracked(serviceSpec('ticket', layout));
    const [reservation, price] = await Promise.all([
      startTracked(serviceSpec('reservation', layout)),
      startTracked(serviceSpec('price', layout)),
    ]);
    subgraphs.reservation = reservation;
    subgraphs.price = price;
    for (const extra of SUBGRAPHS.filter((name) => !(name in subgraphs))) {
      // Subgraphs without PostgreSQL (the view keeps its read model in SQLite) start when present;
      // one that cannot start leaves its entries unmeasured, with the reason, not the whole run.
      const spec = serviceSpec(extra, layout);
      if (!existsSync(path.join(ROOT, spec.entry))) {
        missing[extra] = `${spec.entry} does not exist`;
        continue;
      }
      try {
        subgraphs[extra] = await startTracked(spec);
      } catch (error) {
        missing[extra] = `it did not start: ${(error as Error).message.split('\n')[0]}`;
        log(`${extra} subgraph: ${(error as Error).message}`);
      }
    }

    log('starting gateways');
    const { PORT: _port, ...gatewayEnv } = serviceEnv('gateway', layout);
    const [gateway, hiveGateway] = await Promise.all([
      startTracked({ ...serviceSpec('gateway', layout), env: gatewayEnv }),
      startTracked({ name: 'hive-gateway', entry: 'bench/hive-gateway.ts', env: gatewayEnv }),
    ]);

    const issue = (sub: string, role: 'USER' | 'ADMIN' = 'USER') =>
      issueUserToken(auth, { sub, roles: [role], grade: 'VIP' }, { expiresIn: '2h' });
    const adminToken = await issue('bench-admin', 'ADMIN');
    const readers = await Promise.all(
      Array.from({ length: READERS }, async (_, i) => ({
        userId: `bench-reader-${i}`,
        token: await issue(`bench-reader-${i}`),
      })),
    );
    const userTokens = await Promise.all(Array.from({ length: 64 }, (_, i) => issue(`bench-user-${i}`)));

    async function registerTickets(count: number, concurrency = 16): Promise<string[]> {
      const ids: string[] = new Array(count);
      const now = Date.now();
      await forEachConcurrently([...Array(count).keys()], concurrency, async (i) => {
        const input = {
          name: `Bench concert ${suffix}-${i}`,
          startsAt: new Date(now + DAY).toISOString(),
          expiresAt: new Date(now + 30 * DAY).toISOString(),
          basePrice: 50_000 + (i % 50) * 1000,
        };
        for (let attempt = 1; ; attempt++) {
          const result = await graphql(gateway.url, RegisterTicketDocument, {
            variables: { input },
            token: adminToken,
          });
          if (result.data?.registerTicket && !result.errors) {
            ids[i] = result.data.registerTicket.id;
            return;
          }
          // Data for the entries, not a measurement: on a shared machine a registration may time out.
          // Another attempt may register a second ticket of the same name, which nothing reads.
          const failure = `registering a ticket failed (HTTP ${result.status}): ${JSON.stringify(result.errors)}`;
          if (attempt === REGISTER_ATTEMPTS) throw new Error(failure);
          log(`${failure}; trying again`);
          await sleep(1000);
        }
      });
      return ids;
    }

    log('seeding tickets and reservations');
    await registerTickets(40);
    const readerTickets = await registerTickets(READERS * RESERVATIONS_PER_READER + SPARE_TICKETS);
    let nextTicket = 0;
    const seeded: string[] = [];
    await forEachConcurrently(readers, SEED_CONCURRENCY, async (reader) => {
      for (let reserved = 0; reserved < RESERVATIONS_PER_READER;) {
        const ticketId = readerTickets[nextTicket++];
        if (!ticketId) throw new Error('seeding ran out of tickets: the ticket service kept refusing reservations');
        if (await seedReservation(gateway.url, ticketId, reader.token)) {
          reserved += 1;
          seeded.push(ticketId);
        }
      }
    });
    const vipDiscounted = (ticketIds: string[]) =>
      withPgClient(databaseUrl('price'), async (client) => {
        const { rows } = await client.query<{ discounted: number }>(
          'SELECT count(*)::int AS discounted FROM price WHERE ticket_id = ANY($1::uuid[]) AND vip_discount > 0',
          [ticketIds],
        );
        return rows[0]!.discounted;
      });
    // Read in price's database: asking the subgraphs would load the machine the entries measure next.
    await waitFor('the readers’ VIP prices', 180_000, async () => (await vipDiscounted(seeded)) === seeded.length);

    return {
      gateway,
      hiveGateway,
      subgraphs,
      missing,
      gatewayEnv,
      watched: () => [
        { name: 'gateway', pid: gateway.pid },
        ...Object.entries(subgraphs).map(([name, service]) => ({ name, pid: service.pid })),
      ],
      running: () =>
        processes.filter((service) => service.running()).map((service) => ({ name: service.name, pid: service.pid })),
      sharedEnv,
      subgraphUrlEnv,
      auth,
      readers,
      reservationsPerReader: RESERVATIONS_PER_READER,
      adminToken,
      userTokens,
      databaseUrl,
      adminDatabaseUrl: config.databaseUrl,
      startService: startTracked,
      registerTickets,
      vipDiscounted,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A reservation the data needs, not a measurement. When the ticket service says it is busy (the
 * machine is shared), it waits the delay it is given and reports the ticket as not reserved: the
 * hold may have been taken all the same and is released later, so the caller moves on to another
 * ticket, as it does when one is not available.
 */
async function seedReservation(gatewayUrl: string, ticketId: string, token: string): Promise<boolean> {
  const result = await graphql(gatewayUrl, ReserveTicketStatusDocument, { variables: { ticketId }, token });
  const error = result.errors?.[0];
  if (result.status === 200 && !error && result.data?.reserveTicket) return true;
  const code = error?.extensions?.code;
  if (code === 'TICKET_SERVICE_UNAVAILABLE') {
    await sleep(Number(error!.extensions!.retryAfterSeconds ?? 1) * 1000);
    return false;
  }
  if (code === 'TICKET_NOT_AVAILABLE') return false;
  throw new Error(
    `seeding a reservation of ${ticketId} failed (HTTP ${result.status}): ${JSON.stringify(result.errors)}`,
  );
}

async function deleteStream(natsUrl: string, stream: string): Promise<void> {
  const connection = await connect({ servers: natsUrl });
  try {
    await (await jetstreamManager(connection)).streams.delete(stream).catch(() => false);
  } finally {
    await connection.close();
  }
}

export async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}
