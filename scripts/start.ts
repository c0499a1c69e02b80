/**
 * `npm start`: the whole supergraph on one machine. Each transactional subgraph gets an embedded
 * PostgreSQL of its own (unless <SUBGRAPH>_DATABASE_URL is set), migrated on start; the view keeps
 * its SQLite store below DATA_DIR and builds it from the stream; NATS comes from NATS_URL,
 * and when nothing answers there a local nats-server with JetStream is started if one is
 * installed. Demo tickets are registered on first start.
 *
 * Every process is supervised (scripts/supervisor.ts): one that exits unexpectedly is started
 * again with backoff while the others keep serving. Ctrl-C (SIGINT, to the whole process group in
 * a terminal) or SIGTERM stops everything: the subgraphs close their servers and pools, then their
 * embedded PostgreSQL, which runs outside the group so that the terminal's signal does not reach
 * it first. A second Ctrl-C kills what is still running.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { integer, parseConfig, port } from '../platform/config.ts';
import { stopServerLeftRunning } from '../platform/database/embedded-postgres.ts';
import { canConnect } from '../system/listening.ts';
import { INSTALL_NATS_SERVER, findNatsServer, startNatsServer, stopNatsServer } from '../system/nats-server.ts';
import { createSupervisor, defaultRestartPolicy } from './supervisor.ts';
import {
  DATABASE_SERVICES,
  SERVICE_NAMES,
  SERVICES,
  serviceSpec,
  startWaves,
  type DatabaseServiceName,
  type ServiceName,
  type SystemLayout,
} from '../system/topology.ts';

const root = path.resolve(import.meta.dirname, '..');

// The launcher's own settings; each process validates the rest of its environment itself.
const launcherEnv = z.object({
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  GATEWAY_PORT: port(SERVICES.gateway.defaultPort),
  TICKET_PORT: port(SERVICES.ticket.defaultPort),
  RESERVATION_PORT: port(SERVICES.reservation.defaultPort),
  PRICE_PORT: port(SERVICES.price.defaultPort),
  VIEW_PORT: port(SERVICES.view.defaultPort),
  /** Embedded stores (and a nats-server started here) keep their data below this folder. */
  DATA_DIR: z.string().default(path.join(root, '.data')),
  /** The embedded PostgreSQL of ticket, reservation and price listen on this port and the next two. */
  EMBEDDED_PG_PORT_BASE: port(54331),
  TICKET_DATABASE_URL: z.string().optional(),
  RESERVATION_DATABASE_URL: z.string().optional(),
  PRICE_DATABASE_URL: z.string().optional(),
  /** A process that crashes this many times in a row, each soon after starting, is given up on. */
  RESTART_MAX_FAST_CRASHES: integer(1, 1000, defaultRestartPolicy.maxFastCrashes),
  /** How long a process must run before a crash no longer counts as soon after starting, in ms. */
  RESTART_HEALTHY_AFTER_MS: integer(1000, 86_400_000, defaultRestartPolicy.healthyAfterMs),
});
let config: z.output<typeof launcherEnv>;
try {
  config = parseConfig(launcherEnv, process.env);
} catch (error) {
  process.stderr.write(`[start] ${(error as Error).message}\n`);
  process.exit(78);
}
const natsUrl = config.NATS_URL;
const dataDir = path.resolve(config.DATA_DIR);

// Variables meant for one process must not leak into all of them.
const {
  DATABASE_URL: _db,
  PORT: _port,
  ADMIN_PORT: _adminPort,
  EMBEDDED_PG_DIR: _dir,
  EMBEDDED_PG_PORT: _pgPort,
  VIEW_DATA_DIR: _viewDir,
  ...inherited
} = process.env;

const configuredDatabases = {
  ticket: config.TICKET_DATABASE_URL,
  reservation: config.RESERVATION_DATABASE_URL,
  price: config.PRICE_DATABASE_URL,
};

/** The system as `npm start` runs it, from the one description of its topology. */
const layout: SystemLayout = {
  ports: {
    ticket: config.TICKET_PORT,
    reservation: config.RESERVATION_PORT,
    price: config.PRICE_PORT,
    view: config.VIEW_PORT,
    gateway: config.GATEWAY_PORT,
  },
  sharedEnv: {
    ...Object.fromEntries(
      Object.entries(inherited).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    NATS_URL: natsUrl,
  },
  databaseUrls: Object.fromEntries(Object.entries(configuredDatabases).filter(([, url]) => url !== undefined)),
  dataDir,
  embeddedPgPortBase: config.EMBEDDED_PG_PORT_BASE,
  overrides: { ticket: { SEED_DEMO_DATA: 'true' } },
};
const embeddedStoreDir = (name: DatabaseServiceName) => path.join(dataDir, name, 'postgres');

let natsServer: ChildProcess | undefined;
let stopping = false;

function say(message: string): void {
  process.stderr.write(`[start] ${message}\n`);
}

async function ensureNats(): Promise<void> {
  const url = new URL(natsUrl.replace(/^nats:/, 'http:'));
  const host = url.hostname;
  const port = Number(url.port || 4222);
  if (await canConnect(host, port)) return say(`using NATS at ${natsUrl}`);
  const command = findNatsServer();
  if (!command) {
    say(`nothing answers at ${natsUrl} (NATS_URL) and nats-server is not installed.`);
    say(`${INSTALL_NATS_SERVER} Then run \`npm start\` again.`);
    process.exit(1);
  }
  const storeDir = path.join(dataDir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  say(`starting nats-server with JetStream on ${host}:${port} (store: ${storeDir})`);
  try {
    natsServer = await startNatsServer({ command, host, port, storeDir, ownProcessGroup: true });
  } catch (error) {
    say(`nats-server did not come up: ${(error as Error).message}`);
    process.exit(1);
  }
}

function ensurePrismaClients(): void {
  if (
    ['ticket', 'reservation', 'price', 'view'].every((s) =>
      existsSync(path.join(root, 'prisma', s, 'client/client.ts')),
    )
  )
    return;
  say('generating Prisma clients');
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/prisma.ts', 'generate'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(1);
}

const supervisor = createSupervisor({
  policy: {
    ...defaultRestartPolicy,
    maxFastCrashes: config.RESTART_MAX_FAST_CRASHES,
    healthyAfterMs: config.RESTART_HEALTHY_AFTER_MS,
  },
  spawn: (name) => {
    const spec = serviceSpec(name as ServiceName, layout);
    return spawn(process.execPath, ['--import', 'tsx', spec.entry], { cwd: root, stdio: 'inherit', env: spec.env });
  },
  report: say,
  onGiveUp: (_name, _reason, exitCode) => void stopEverything(exitCode),
});

/** Waits while the process starts (or is restarted); a slow start is reported once, not given up on. */
async function waitUntilReady(name: ServiceName): Promise<void> {
  const port = layout.ports[name];
  const reportAfter = Date.now() + 120_000;
  let reported = false;
  while (!stopping) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(5000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (!reported && Date.now() > reportAfter) {
      say(`${name} is not ready after 120 s; still waiting (its log says why)`);
      reported = true;
    }
    await sleep(250);
  }
}

/**
 * The processes first, each stopping its server and pool and then its embedded store; then any
 * embedded store whose owner was killed meanwhile; NATS, if started here, last.
 */
async function stopEverything(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const stopped = supervisor.stop('SIGTERM').then(() => true);
  if (!(await Promise.race([stopped, sleep(30_000, false)]))) {
    say('processes still running after 30 s; killing them');
    await supervisor.stop('SIGKILL');
  }
  await stopStoresAndNats();
  process.exit(exitCode);
}

/** A second Ctrl-C: whatever still runs is killed, and the stores it leaves are stopped. */
async function stopAtOnce(): Promise<void> {
  say('stopping at once');
  await supervisor.stop('SIGKILL');
  await stopStoresAndNats();
  process.exit(130);
}

async function stopStoresAndNats(): Promise<void> {
  for (const name of DATABASE_SERVICES) {
    const pid = await stopServerLeftRunning(embeddedStoreDir(name));
    if (pid) say(`stopped ${name}'s embedded PostgreSQL (pid ${pid}), which its process left running`);
  }
  if (natsServer) await stopNatsServer(natsServer);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void (stopping ? stopAtOnce() : stopEverything(0)));
}

async function assertPortsFree(): Promise<void> {
  for (const name of SERVICE_NAMES) {
    const port = layout.ports[name];
    const variable = `${name.toUpperCase()}_PORT`;
    if (await canConnect('127.0.0.1', port)) {
      say(
        `port ${port} is already in use (${variable}): is another \`npm start\` running? Stop it or choose another port.`,
      );
      process.exit(1);
    }
  }
}

ensurePrismaClients();
await assertPortsFree();
await ensureNats();
// In the topology's order: the gateway plans over every subgraph, so it starts once they answer.
for (const wave of startWaves()) {
  if (stopping) break;
  for (const name of wave) supervisor.start(name);
  await Promise.all(wave.map(waitUntilReady));
}
if (!stopping) {
  process.stderr.write(`
  Ticketing supergraph is up.

    Apollo Sandbox   http://localhost:${config.GATEWAY_PORT}
    GraphQL          POST http://localhost:${config.GATEWAY_PORT}/graphql
    Subgraphs        ticket :${config.TICKET_PORT}  reservation :${config.RESERVATION_PORT}  price :${config.PRICE_PORT}  view :${config.VIEW_PORT}

  Get a token (paste into Sandbox's Authorization header as "Bearer <token>"):
    npm run -s token -- --sub alice --role USER --grade VIP
    npm run -s token -- --sub admin --role ADMIN

  A process that exits unexpectedly is restarted. Ctrl-C stops everything.
`);
}
