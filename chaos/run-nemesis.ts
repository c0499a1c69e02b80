/**
 * One nemesis run: the whole system started on its own PostgreSQL and NATS (one server or a
 * three-node cluster), users reserving and cancelling through the gateway while the nemesis
 * crashes and freezes processes, then everything healed, the system left to go quiet, and the
 * invariants checked. Returns a summary; violations are in it, not thrown.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { issueUserToken } from '../platform/auth/tokens.ts';
import { authConfigFrom } from '../platform/config.ts';
import { type ServiceProcess } from '../system/launcher.ts';
import { freePort } from '../system/listening.ts';
import { startNatsDeployment, waitForJetStream, type NatsServerProcess } from '../system/nats-server.ts';
import {
  DATABASE_SERVICES,
  SERVICE_NAMES,
  startSystem,
  type ServiceName,
  type SystemLayout,
} from '../system/topology.ts';
import { checkHistory, type CheckResult, type Violation, type ViolationKind } from './checker.ts';
import type { Operation } from './history.ts';
import { Nemesis, type FaultTarget, type TargetSource } from './nemesis.ts';
import { takeSnapshot, unsettled, type ObservedSystem } from './observe.ts';
import { startPostgresServer, type PostgresServer } from './postgres-server.ts';
import { createRandom } from './random.ts';
import { runSigstopCase, type CaseResult } from './sigstop-case.ts';
import { createUsers, registerTickets, Workload } from './workload.ts';

export interface NemesisRunOptions {
  seed: number;
  /** Random faults for this long (0: none). */
  durationMs: number;
  /** 1: one nats-server; 3: a cluster, the stream with three replicas. */
  natsNodes: number;
  /** Run the SIGSTOP scenario (ticket frozen under a burst of reservations) first. */
  sigstopCase: boolean;
  /** Kill the stream's leader once under load, before the random faults. */
  leaderKill: boolean;
  users?: number;
  tickets?: number;
  concurrency?: number;
  /** How long healing may take to converge before what is left counts as violations. */
  convergeTimeoutMs?: number;
  logLevel?: string;
  log: (line: string) => void;
}

export interface NemesisSummary {
  seed: number;
  natsNodes: number;
  operations: { total: number; ok: number; failed: number; indeterminate: number; reserves: number; cancels: number };
  faults: Record<string, number>;
  /** Acknowledged operations not reflected. */
  lost: number;
  doubleBooked: number;
  leakedHolds: number;
  failedLeftBehind: number;
  appliedTwice: number;
  /** Events unpublished, dead-lettered or never applied by a consumer. */
  eventsLost: number;
  /** Prices, API readings and boards that did not converge to the databases. */
  diverged: number;
  violations: Record<ViolationKind, number>;
  /** From the last heal until quiet and consistent; null when it never got there. */
  convergeMs: number | null;
  cases: CaseResult[];
  /** The first violations, described. */
  examples: Violation[];
  passed: boolean;
}

/** Short saga, breaker and consumer bounds, so a run heals in seconds. */
const PENDING_RESERVATION_TIMEOUT_MS = 3000;
const PENDING_RESERVATION_SWEEP_INTERVAL_MS = 500;

/**
 * Consumers that apply events to a database, and which events each records in its inbox: price
 * takes a reservation's events only for VIPs (a NORMAL user's changes no price).
 */
const CONSUMERS: ObservedSystem['consumers'] = [
  {
    name: 'ticket',
    database: 'ticket',
    applies: (event) => ['ReservationCancelled', 'HoldAbandoned'].includes(event.type),
  },
  {
    name: 'price',
    database: 'price',
    applies: (event) =>
      event.type === 'TicketRegistered' ||
      (['TicketReserved', 'ReservationCancelled'].includes(event.type) && event.grade === 'VIP'),
  },
];

function serviceTarget(service: ServiceProcess): FaultTarget {
  return {
    name: service.name,
    pid: () => service.pid,
    kill: () => service.kill(),
    restart: () => service.restart(),
    freeze: () => service.signal('SIGSTOP'),
    resume: () => service.signal('SIGCONT'),
  };
}

function postgresTarget(postgres: PostgresServer): FaultTarget {
  return {
    name: 'postgres',
    pid: () => postgres.pid,
    kill: () => postgres.kill(),
    restart: () => postgres.start(),
    freeze: () => postgres.freeze(),
    resume: () => postgres.resume(),
  };
}

function natsTarget(node: NatsServerProcess, clusterUrl: string, label: string): FaultTarget {
  return {
    name: label,
    pid: () => node.pid,
    kill: () => node.kill(),
    async restart() {
      await node.start();
      // A cluster node is back once JetStream answers again.
      await waitForJetStream(clusterUrl);
    },
    freeze: () => node.signal('SIGSTOP'),
    resume: () => node.signal('SIGCONT'),
  };
}

/** Resolves once `count` more operations have their outcome: load, not time, paces the run. */
async function progress(workload: Workload, count: number): Promise<void> {
  const target = workload.history.length + count;
  while (workload.history.length < target) await sleep(50);
}

export async function runNemesis(options: NemesisRunOptions): Promise<NemesisSummary> {
  const { log, seed } = options;
  // Two streams from one seed: the schedule of faults repeats exactly, whatever order the
  // concurrent clients happened to draw their choices in.
  const random = createRandom(seed);
  const workloadRandom = createRandom(seed ^ 0x5bd1e995);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'nemesis-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    log(`starting PostgreSQL and ${options.natsNodes} nats-server(s) in ${scratch}`);
    // PostgreSQL may run as another user (when this runs as root): it must get through to its data.
    await chmod(scratch, 0o711);
    await mkdir(path.join(scratch, 'postgres'));
    const postgres = await startPostgresServer({
      dir: path.join(scratch, 'postgres'),
      port: await freePort(),
      databases: DATABASE_SERVICES,
    });
    stops.push(() => postgres.stop());
    const nats = await startNatsDeployment({ size: options.natsNodes, dir: path.join(scratch, 'nats') });
    stops.push(() => nats.stop());

    const secrets = {
      JWT_SECRET: randomBytes(32).toString('hex'),
      SERVICE_TOKEN_SECRET: randomBytes(32).toString('hex'),
    };
    const auth = authConfigFrom({ NODE_ENV: 'production', LOG_LEVEL: 'silent', ...secrets });
    const stream = 'NEMESIS';
    const layout: SystemLayout = {
      ports: Object.fromEntries(
        await Promise.all(SERVICE_NAMES.map(async (name) => [name, await freePort()] as const)),
      ) as Record<ServiceName, number>,
      sharedEnv: {
        NODE_ENV: 'production',
        LOG_LEVEL: options.logLevel ?? 'warn',
        ...secrets,
        NATS_URL: nats.url,
        NATS_STREAM: stream,
        NATS_SUBJECT_PREFIX: 'nemesis',
        NATS_STREAM_REPLICAS: String(options.natsNodes),
        // Nothing routes to these processes but the run: they may stop at once.
        SHUTDOWN_DELAY_MS: '0',
        DRAIN_TIMEOUT_MS: '1000',
        DATABASE_POOL_SIZE: '5',
      },
      databaseUrls: Object.fromEntries(DATABASE_SERVICES.map((name) => [name, postgres.url(name)])),
      dataDir: scratch,
      // A Node process starts in seconds on a quiet machine and in minutes on a saturated one.
      readyTimeoutMs: 240_000,
      overrides: {
        reservation: {
          TICKET_CALL_TIMEOUT_MS: '1000',
          // No queue behind the bulkhead: the longest hold call (2 attempts of 1 s) stays under
          // the pending-reservation timeout, as reservation's configuration requires.
          TICKET_BULKHEAD_QUEUE: '0',
          TICKET_BREAKER_FAILURES: '3',
          TICKET_BREAKER_HALF_OPEN_AFTER_MS: '1000',
          PENDING_RESERVATION_TIMEOUT_MS: String(PENDING_RESERVATION_TIMEOUT_MS),
          PENDING_RESERVATION_SWEEP_INTERVAL_MS: String(PENDING_RESERVATION_SWEEP_INTERVAL_MS),
        },
        // A crashed consumer's events come back soon; none is given up on during a long outage.
        ticket: { CONSUMER_ACK_WAIT_MS: '2000', CONSUMER_MAX_DELIVER: '1000' },
        price: { CONSUMER_ACK_WAIT_MS: '2000', CONSUMER_MAX_DELIVER: '1000' },
        view: { VIEW_INSTANCE_ID: 'nemesis' },
        gateway: { RATE_LIMIT_PER_SECOND: '0' },
      },
    };
    log('starting the system');
    const system = await startSystem(layout);
    stops.push(() => system.stop());
    const gatewayUrl = system.services.gateway.url;

    const adminToken = await issueUserToken(auth, { sub: 'nemesis-admin', roles: ['ADMIN'], grade: 'NORMAL' });
    const tickets = await registerTickets(gatewayUrl, adminToken, options.tickets ?? 6, `Nemesis ${seed}`);
    const users = await createUsers(auth, `s${seed}`, options.users ?? 12);
    const caseUsers = options.sigstopCase ? await createUsers(auth, `s${seed}-stop`, 13) : [];
    const workload = new Workload({
      gatewayUrl,
      random: workloadRandom,
      users,
      tickets,
      runId: `nemesis-${seed}-${randomBytes(3).toString('hex')}`,
      concurrency: options.concurrency ?? 4,
      timeoutMs: 10_000,
      maxPauseMs: 100,
    });
    const observed: ObservedSystem = {
      gatewayUrl,
      baseUrls: Object.fromEntries(
        SERVICE_NAMES.map((name) => [name, `http://127.0.0.1:${layout.ports[name]}`]),
      ) as Record<ServiceName, string>,
      databaseUrls: Object.fromEntries(
        DATABASE_SERVICES.map((name) => [name, postgres.url(name)]),
      ) as ObservedSystem['databaseUrls'],
      natsUrl: nats.url,
      stream,
      consumers: CONSUMERS,
      adminToken,
      users: [...users, ...caseUsers],
    };

    const cases: CaseResult[] = [];
    if (options.sigstopCase) {
      log('case: ticket frozen (SIGSTOP) under a burst of reservations of one ticket');
      const result = await runSigstopCase({
        workload,
        gatewayUrl,
        adminToken,
        ticket: system.services.ticket,
        ticketDatabaseUrl: postgres.url('ticket'),
        users: caseUsers,
        boundMs: PENDING_RESERVATION_TIMEOUT_MS + PENDING_RESERVATION_SWEEP_INTERVAL_MS,
        log,
      });
      log(`case ${result.name}: ${result.passed ? 'passed' : 'FAILED'} — ${result.detail}`);
      cases.push(result);
    }

    const nemesis = new Nemesis(random, log);
    const natsLabel = options.natsNodes > 1 ? 'nats (stream leader)' : 'nats';
    const leader: TargetSource = async () => {
      const node = (await nats.streamLeader(stream).catch(() => undefined)) ?? random.pick(nats.servers);
      return natsTarget(node, nats.url, natsLabel);
    };
    const targets: TargetSource[] = [
      ...SERVICE_NAMES.map((name) => async () => serviceTarget(system.services[name])),
      async () => postgresTarget(postgres),
      leader,
    ];
    workload.start();
    try {
      await progress(workload, 20);
      if (options.leaderKill) {
        await nemesis.inject('kill', await leader(), 3000);
        await progress(workload, 20);
      }
      if (options.durationMs > 0) {
        log(`nemesis: random faults for ${Math.round(options.durationMs / 1000)} s`);
        await nemesis.run(targets, { gapMs: [1000, 4000], holdMs: [500, 4000] }, options.durationMs);
      }
    } finally {
      await nemesis.heal();
      await workload.stop();
    }

    log(`healed; ${workload.history.length} operations; waiting for the system to go quiet`);
    const { result, convergeMs, unsettledReasons } = await converge(
      observed,
      workload.history,
      options.convergeTimeoutMs ?? 60_000,
    );
    for (const reason of unsettledReasons) log(`not quiet: ${reason}`);
    return summarise(options, workload.history, nemesis.tally(), result, convergeMs, cases);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: Error) => log(`stopping: ${error.message}`));
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Waits for quiet (every process ready, outboxes published, consumers caught up, no attempt
 * pending, the view caught up), then checks; a check that fails is taken again while the deadline
 * allows, since the last events may still be on their way. The last check counts.
 */
async function converge(
  system: ObservedSystem,
  history: readonly Operation[],
  timeoutMs: number,
): Promise<{ result: CheckResult; convergeMs: number | null; unsettledReasons: string[] }> {
  const started = Date.now();
  let reasons: string[] = [];
  for (;;) {
    reasons = await unsettled(system).catch((error: Error) => [error.message]);
    const timedOut = Date.now() - started > timeoutMs;
    if (reasons.length === 0 || timedOut) {
      const snapshot = await takeSnapshot(system).catch(() => undefined);
      if (snapshot) {
        const result = checkHistory(history, snapshot);
        if (reasons.length === 0 && result.violations.length === 0) {
          return { result, convergeMs: Date.now() - started, unsettledReasons: [] };
        }
        if (timedOut) return { result, convergeMs: null, unsettledReasons: reasons };
      } else if (timedOut) {
        throw new Error(`the system could not be read after healing: ${reasons.join('; ')}`);
      }
    }
    await sleep(250);
  }
}

function summarise(
  options: NemesisRunOptions,
  history: readonly Operation[],
  faults: Record<string, number>,
  result: CheckResult,
  convergeMs: number | null,
  cases: CaseResult[],
): NemesisSummary {
  const outcomes = (outcome: Operation['outcome']) =>
    history.filter((operation) => operation.outcome === outcome).length;
  const { counts } = result;
  return {
    seed: options.seed,
    natsNodes: options.natsNodes,
    operations: {
      total: history.length,
      ok: outcomes('ok'),
      failed: outcomes('failed'),
      indeterminate: outcomes('indeterminate'),
      reserves: history.filter((operation) => operation.kind === 'reserve').length,
      cancels: history.filter((operation) => operation.kind === 'cancel').length,
    },
    faults,
    lost: counts.lost,
    doubleBooked: counts['double-booked'] + counts['seat-not-held'],
    leakedHolds: counts['leaked-hold'],
    failedLeftBehind: counts['failed-left-behind'] + counts.phantom,
    appliedTwice: counts['applied-twice'],
    eventsLost: counts['event-lost'] + counts['outbox-backlog'] + counts['dead-lettered'],
    diverged: counts['price-diverged'] + counts['api-diverged'] + counts['board-diverged'],
    violations: counts,
    convergeMs,
    cases,
    examples: result.violations.slice(0, 10),
    passed: result.violations.length === 0 && convergeMs !== null && cases.every((c) => c.passed),
  };
}

/** The summary as the CLI and the tests print it. */
export function formatSummary(summary: NemesisSummary): string {
  const { operations: ops } = summary;
  const lines = [
    `NEMESIS ${summary.passed ? 'PASSED' : 'FAILED'} (seed ${summary.seed}, ${summary.natsNodes} NATS node(s))`,
    `operations       ${ops.total} (${ops.reserves} reserve, ${ops.cancels} cancel): ${ops.ok} ok, ${ops.failed} failed, ${ops.indeterminate} indeterminate`,
    `faults           ${
      Object.entries(summary.faults)
        .map(([fault, n]) => `${fault} ×${n}`)
        .join(', ') || 'none'
    }`,
    `lost             ${summary.lost}`,
    `double-booked    ${summary.doubleBooked}`,
    `leaked holds     ${summary.leakedHolds}`,
    `failed, left     ${summary.failedLeftBehind}`,
    `applied twice    ${summary.appliedTwice}`,
    `events lost      ${summary.eventsLost}`,
    `diverged         ${summary.diverged}`,
    `converged after  ${summary.convergeMs === null ? 'never (deadline passed)' : `${(summary.convergeMs / 1000).toFixed(1)} s`}`,
    ...summary.cases.map((c) => `case ${c.name}: ${c.passed ? 'passed' : 'FAILED'} — ${c.detail}`),
    ...summary.examples.map((violation) => `  ${violation.kind}: ${violation.detail}`),
  ];
  return `${lines.join('\n')}\nNEMESIS SUMMARY ${JSON.stringify(summary)}\n`;
}
