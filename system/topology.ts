/**
 * The system's topology, described once: which processes there are, their entry points and
 * default ports, which owns a PostgreSQL database, which must be up before another starts, and
 * the environment each one runs with given where everything else listens. Whoever runs the whole
 * system (the bench, the nemesis) builds its processes from this description.
 */
import path from 'node:path';
import { startService, type ServiceProcess, type ServiceSpec } from './launcher.ts';

export const SERVICE_NAMES = ['ticket', 'reservation', 'price', 'view', 'gateway'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The processes that keep their data in PostgreSQL, one database each. */
export const DATABASE_SERVICES = ['ticket', 'reservation', 'price'] as const;
export type DatabaseServiceName = (typeof DATABASE_SERVICES)[number];

/** The subgraphs behind the gateway. */
export const SUBGRAPH_NAMES = ['ticket', 'reservation', 'price', 'view'] as const;
export type SubgraphServiceName = (typeof SUBGRAPH_NAMES)[number];

export interface ServiceDescription {
  name: ServiceName;
  /** Entry file, relative to the repository root. */
  entry: string;
  defaultPort: number;
  /**
   * The port of its health and metrics endpoints where they are kept off the public one (the
   * containers and Kubernetes: docs/decisions/0008-admin-port.md); unset, a process serves them
   * on its public port.
   */
  adminPort: number;
  /** Started only once these answer ready. */
  dependsOn: readonly ServiceName[];
}

export const SERVICES: Record<ServiceName, ServiceDescription> = {
  ticket: { name: 'ticket', entry: 'subgraphs/ticket/main.ts', defaultPort: 4001, adminPort: 9401, dependsOn: [] },
  // Reservation's hold call goes to ticket.
  reservation: {
    name: 'reservation',
    entry: 'subgraphs/reservation/main.ts',
    defaultPort: 4002,
    adminPort: 9402,
    dependsOn: ['ticket'],
  },
  price: { name: 'price', entry: 'subgraphs/price/main.ts', defaultPort: 4003, adminPort: 9403, dependsOn: [] },
  view: { name: 'view', entry: 'subgraphs/view/main.ts', defaultPort: 4004, adminPort: 9404, dependsOn: [] },
  // The gateway checks every subgraph it plans queries over.
  gateway: {
    name: 'gateway',
    entry: 'gateway/main.ts',
    defaultPort: 4000,
    adminPort: 9400,
    dependsOn: ['ticket', 'reservation', 'price', 'view'],
  },
};

/** Where everything listens and what the processes share; each process's environment follows from it. */
export interface SystemLayout {
  ports: Record<ServiceName, number>;
  /**
   * Ports of the health and metrics endpoints, for the processes that keep them off their public
   * port (ADMIN_PORT); the others serve them on `ports`.
   */
  adminPorts?: Partial<Record<ServiceName, number>>;
  /** Every process gets these: NODE_ENV, LOG_LEVEL, secrets, NATS_URL, NATS_STREAM… */
  sharedEnv: Record<string, string>;
  /**
   * The PostgreSQL database of each transactional subgraph, migrated at start. A subgraph without
   * one runs an embedded PostgreSQL below `dataDir` on `embeddedPgPortBase` + its place in
   * DATABASE_SERVICES.
   */
  databaseUrls?: Partial<Record<DatabaseServiceName, string>>;
  /** Local stores (the view's SQLite, embedded PostgreSQL) live below this folder. */
  dataDir: string;
  embeddedPgPortBase?: number;
  /** Settings of one process on top of the rest (breaker bounds, consumer names…). */
  overrides?: Partial<Record<ServiceName, Record<string, string>>>;
  /** How long a process may take to answer ready (default: the launcher's). */
  readyTimeoutMs?: number;
}

export function serviceUrl(layout: Pick<SystemLayout, 'ports'>, name: ServiceName): string {
  return `http://127.0.0.1:${layout.ports[name]}/graphql`;
}

/** `<SUBGRAPH>_URL` for every subgraph, as the gateway takes them. */
export function subgraphUrlEnv(layout: Pick<SystemLayout, 'ports'>): Record<string, string> {
  return Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, serviceUrl(layout, name)]));
}

function databaseEnv(name: DatabaseServiceName, layout: SystemLayout): Record<string, string> {
  const url = layout.databaseUrls?.[name];
  if (url) return { DATABASE_URL: url, MIGRATE_ON_START: 'true' };
  return {
    EMBEDDED_PG_DIR: path.join(layout.dataDir, name, 'postgres'),
    EMBEDDED_PG_PORT: String((layout.embeddedPgPortBase ?? 54331) + DATABASE_SERVICES.indexOf(name)),
  };
}

/** The environment `name` runs with in `layout` (PORT included). */
export function serviceEnv(name: ServiceName, layout: SystemLayout): Record<string, string> {
  const own: Record<ServiceName, () => Record<string, string>> = {
    ticket: () => databaseEnv('ticket', layout),
    reservation: () => ({ ...databaseEnv('reservation', layout), TICKET_SERVICE_URL: serviceUrl(layout, 'ticket') }),
    price: () => databaseEnv('price', layout),
    view: () => ({ VIEW_DATA_DIR: path.join(layout.dataDir, 'view') }),
    gateway: () => subgraphUrlEnv(layout),
  };
  const adminPort = layout.adminPorts?.[name];
  return {
    ...layout.sharedEnv,
    // Names the process in its traces (used only when OTEL_* turns tracing on).
    OTEL_SERVICE_NAME: `ticketing-${name}`,
    ...own[name](),
    ...layout.overrides?.[name],
    PORT: String(layout.ports[name]),
    ...(adminPort === undefined ? {} : { ADMIN_PORT: String(adminPort) }),
  };
}

/** The port `name` answers `/health/*` and `/metrics` on in `layout`. */
export function adminPortOf(layout: Pick<SystemLayout, 'ports' | 'adminPorts'>, name: ServiceName): number {
  return layout.adminPorts?.[name] ?? layout.ports[name];
}

export function serviceSpec(name: ServiceName, layout: SystemLayout): ServiceSpec {
  return {
    name,
    entry: SERVICES[name].entry,
    env: serviceEnv(name, layout),
    port: layout.ports[name],
    adminPort: layout.adminPorts?.[name],
    readyTimeoutMs: layout.readyTimeoutMs,
  };
}

/** The processes in groups that may start together, each group after the ones it depends on. */
export function startWaves(names: readonly ServiceName[] = SERVICE_NAMES): ServiceName[][] {
  const waves: ServiceName[][] = [];
  const placed = new Set<ServiceName>();
  let left = [...names];
  while (left.length > 0) {
    const wave = left.filter((name) =>
      SERVICES[name].dependsOn.every((dependency) => placed.has(dependency) || !names.includes(dependency)),
    );
    if (wave.length === 0) throw new Error(`dependency cycle among ${left.join(', ')}`);
    waves.push(wave);
    for (const name of wave) placed.add(name);
    left = left.filter((name) => !placed.has(name));
  }
  return waves;
}

export interface RunningSystem {
  services: Record<ServiceName, ServiceProcess>;
  /** Stops every process, dependants first. */
  stop(): Promise<void>;
}

/** Starts every process of `layout` in dependency order; stops what started when one fails. */
export async function startSystem(layout: SystemLayout): Promise<RunningSystem> {
  const services = {} as Record<ServiceName, ServiceProcess>;
  const waves = startWaves();
  async function stop(): Promise<void> {
    for (const wave of [...waves].reverse()) {
      await Promise.all(wave.map((name) => services[name]?.stop().catch(() => {})));
    }
  }
  try {
    for (const wave of waves) {
      await Promise.all(
        wave.map(async (name) => {
          services[name] = await startService(serviceSpec(name, layout));
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { services, stop };
}
