/**
 * Configuration is read from the environment once per process, validated with zod, and passed
 * down explicitly. Nothing outside a process's `config.ts` reads `process.env`.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses `env` with `schema`; every invalid variable is named in one error. A variable set to an
 * empty string (`PORT=` in an .env or compose file) counts as unset, so its default applies.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}

/** A whole number written in decimal digits (no `1e3`, no `0x10`), within bounds. */
export const integer = (min: number, max: number, defaultValue: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .default(defaultValue);

export const port = (defaultPort: number) => integer(0, 65535, defaultPort);

/** The address a server listens on: an IP address, or 0.0.0.0 / :: for every interface (containers). */
export const listenHost = (defaultHost: string) =>
  z
    .string()
    .refine(
      (value) => isIP(value) !== 0,
      'must be an IP address (127.0.0.1 for this machine only, 0.0.0.0 for every interface)',
    )
    .default(defaultHost);

const optionalInteger = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max)).optional();

export const flag = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const DEV_JWT_SECRET = 'dev-only-secret-do-not-use-in-production-0123456789';
const DEV_SERVICE_TOKEN_SECRET = 'dev-only-service-secret-do-not-use-in-production-01';

/** Settings every process shares: environment, logging, identity. */
export const commonEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  SERVICE_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Verified tokens remembered (for at most a minute) so a repeated token is not verified again; 0 turns it off. */
  VERIFIED_TOKEN_CACHE_SIZE: integer(0, 1_000_000, 10_000),
};

type CommonEnv = z.output<z.ZodObject<typeof commonEnv>>;
/** What `authConfigFrom` reads; without a cache size (tokens issued by scripts and tests), none. */
type AuthEnv = Omit<CommonEnv, 'VERIFIED_TOKEN_CACHE_SIZE'> & Partial<Pick<CommonEnv, 'VERIFIED_TOKEN_CACHE_SIZE'>>;

export interface AuthConfig {
  /** HS256 secret for user tokens; unused when `jwksUrl` is set. */
  jwtSecret: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** HS256 secret for service-to-service tokens (the ticket hold). */
  serviceTokenSecret: string;
  /** Tokens remembered once verified (platform/auth/verified-token-cache.ts); 0 verifies every time. */
  verifiedTokenCacheSize: number;
}

/** Secrets default to development values outside production and are required in production. */
export function authConfigFrom(env: AuthEnv): AuthConfig {
  const production = env.NODE_ENV === 'production';
  const missing = [
    !env.JWT_SECRET && !env.JWT_JWKS_URL && 'JWT_SECRET (or JWT_JWKS_URL)',
    !env.SERVICE_TOKEN_SECRET && 'SERVICE_TOKEN_SECRET',
  ].filter(Boolean);
  if (env.JWT_SECRET && env.JWT_SECRET === env.SERVICE_TOKEN_SECRET) {
    // Equal secrets would let a service token pass as a user token, and the reverse.
    throw new ConfigError('invalid configuration:\n  SERVICE_TOKEN_SECRET: must differ from JWT_SECRET');
  }
  if (production && missing.length > 0) {
    throw new ConfigError(`invalid configuration:\n${missing.map((m) => `  ${m}: required in production`).join('\n')}`);
  }
  return {
    jwtSecret: env.JWT_SECRET ?? DEV_JWT_SECRET,
    jwksUrl: env.JWT_JWKS_URL,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    serviceTokenSecret: env.SERVICE_TOKEN_SECRET ?? DEV_SERVICE_TOKEN_SECRET,
    verifiedTokenCacheSize: env.VERIFIED_TOKEN_CACHE_SIZE ?? 0,
  };
}

/** Settings of every process's HTTP edge: how it stops and when it counts as wedged. */
export const lifecycleEnv = {
  /** Readiness false for this long before the server stops accepting (default 5000 in production, else 0). */
  SHUTDOWN_DELAY_MS: optionalInteger(0, 120_000),
  /** In-flight requests get this long to finish once the server stops accepting. */
  DRAIN_TIMEOUT_MS: integer(0, 120_000, 10_000),
  /** `/health/live` fails while the event loop was held longer than this. */
  LIVENESS_MAX_EVENT_LOOP_DELAY_MS: integer(100, 600_000, 5000),
  /**
   * The port of `/health/*` and `/metrics`, apart from the public one (0: any free port). Unset,
   * or equal to PORT: they share the public port.
   */
  ADMIN_PORT: optionalInteger(0, 65535),
};

/** How a process's HTTP edge stops and when it counts as wedged (platform/http/server.ts). */
export interface LifecycleConfig {
  shutdownDelayMs: number;
  drainTimeoutMs: number;
  maxEventLoopDelayMs: number;
  /** A port of their own for the health and metrics endpoints; undefined when they share PORT. */
  adminPort?: number;
}

/**
 * In production, readiness turns false 5 s before the server stops accepting: Kubernetes sends
 * SIGTERM and removes the pod from its Service's endpoints at the same time, and the proxies and
 * load balancers routing to it learn of the removal only seconds later.
 */
export function lifecycleConfigFrom(
  env: z.output<z.ZodObject<typeof lifecycleEnv>> & Pick<CommonEnv, 'NODE_ENV'> & { PORT?: number },
): LifecycleConfig {
  const separateAdmin = env.ADMIN_PORT !== undefined && (env.ADMIN_PORT === 0 || env.ADMIN_PORT !== env.PORT);
  return {
    shutdownDelayMs: env.SHUTDOWN_DELAY_MS ?? (env.NODE_ENV === 'production' ? 5000 : 0),
    drainTimeoutMs: env.DRAIN_TIMEOUT_MS,
    maxEventLoopDelayMs: env.LIVENESS_MAX_EVENT_LOOP_DELAY_MS,
    ...(separateAdmin ? { adminPort: env.ADMIN_PORT } : {}),
  };
}

const NATS_SERVER = /^((nats|tls):\/\/)?[^\s/,]+$/;

/** Settings of every process that publishes or consumes events. */
export const natsEnv = {
  /** One server, or several of one cluster, comma-separated (`nats://a:4222,nats://b:4222`). */
  NATS_URL: z
    .string()
    .refine(
      (value) => natsServers(value).length > 0 && natsServers(value).every((server) => NATS_SERVER.test(server)),
      'one or more comma-separated nats://host:port (or host:port)',
    )
    .default('nats://127.0.0.1:4222'),
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('TICKETING'),
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]+$/, 'lowercase letters, digits, _ and - only')
    .default('ticketing'),
  /** Copies of each stream kept by a NATS cluster (at most its size); 1 on a single server. */
  NATS_STREAM_REPLICAS: integer(1, 5, 1),
};

/**
 * The servers in `NATS_URL`: one URL, or a cluster's URLs separated by commas. The client needs
 * them as a list: given the whole string it would connect to the last server only.
 */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
}

export interface NatsConfig {
  /** NATS_URL as given: one server or a comma-separated list (see natsServers). */
  url: string;
  stream: string;
  subjectPrefix: string;
  /** Replicas of the streams this system creates; 1 when absent. */
  streamReplicas?: number;
}

export function natsConfigFrom(env: z.output<z.ZodObject<typeof natsEnv>>): NatsConfig {
  return {
    url: env.NATS_URL,
    stream: env.NATS_STREAM,
    subjectPrefix: env.NATS_SUBJECT_PREFIX,
    streamReplicas: env.NATS_STREAM_REPLICAS,
  };
}

/** Settings of every durable consumer. */
export const consumerEnv = {
  CONSUMER_ACK_WAIT_MS: integer(100, 3_600_000, 30_000),
  CONSUMER_MAX_DELIVER: integer(1, 1000, 10),
  /** Test-only fault injection: kill the process after committing an event of this type, before acking it. */
  FAULT_CRASH_BEFORE_ACK_ON: z.string().optional(),
};

export interface ConsumerConfig {
  ackWaitMs: number;
  maxDeliver: number;
  crashBeforeAckOn?: string;
}

export function consumerConfigFrom(env: z.output<z.ZodObject<typeof consumerEnv>>): ConsumerConfig {
  return {
    ackWaitMs: env.CONSUMER_ACK_WAIT_MS,
    maxDeliver: env.CONSUMER_MAX_DELIVER,
    crashBeforeAckOn: env.FAULT_CRASH_BEFORE_ACK_ON,
  };
}

/** Settings of every subgraph that owns a PostgreSQL database. */
export const databaseEnv = (defaults: { embeddedPort: number; name: string }) => ({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: integer(1, 100, 10),
  EMBEDDED_PG_DIR: z.string().default(`.data/${defaults.name}/postgres`),
  EMBEDDED_PG_PORT: port(defaults.embeddedPort),
  MIGRATE_ON_START: flag(false),
});

export interface DatabaseConfig {
  /** The subgraph's name; also its database's name in the embedded store. */
  name: string;
  /** When absent, an embedded PostgreSQL is started in `embedded.dir` and migrated. */
  url?: string;
  poolSize: number;
  embedded: { dir: string; port: number };
  migrateOnStart: boolean;
}

export function databaseConfigFrom(
  name: string,
  env: {
    DATABASE_URL?: string;
    DATABASE_POOL_SIZE: number;
    EMBEDDED_PG_DIR: string;
    EMBEDDED_PG_PORT: number;
    MIGRATE_ON_START: boolean;
  },
): DatabaseConfig {
  return {
    name,
    url: env.DATABASE_URL,
    poolSize: env.DATABASE_POOL_SIZE,
    embedded: { dir: env.EMBEDDED_PG_DIR, port: env.EMBEDDED_PG_PORT },
    migrateOnStart: env.MIGRATE_ON_START,
  };
}

/** Everything every subgraph reads, besides its own settings. */
export const subgraphEnv = (defaultPort: number) => ({
  ...commonEnv,
  ...lifecycleEnv,
  ...natsEnv,
  PORT: port(defaultPort),
  /** Subgraphs are reached through the gateway: by default only from this machine. Containers set 0.0.0.0. */
  HOST: listenHost('127.0.0.1'),
});

type SubgraphEnv = z.output<z.ZodObject<ReturnType<typeof subgraphEnv>>>;

/** The settings every subgraph's server takes, from a parsed subgraphEnv. */
export function subgraphConfigFrom(parsed: SubgraphEnv) {
  return {
    port: parsed.PORT,
    host: parsed.HOST,
    production: parsed.NODE_ENV === 'production',
    logLevel: parsed.LOG_LEVEL,
    lifecycle: lifecycleConfigFrom(parsed),
    auth: authConfigFrom(parsed),
    nats: natsConfigFrom(parsed),
  };
}

/** Everything a transactional subgraph reads, besides its own settings. */
export const transactionalSubgraphEnv = (defaults: { name: string; port: number; embeddedPort: number }) => ({
  ...subgraphEnv(defaults.port),
  ...databaseEnv(defaults),
});

type TransactionalSubgraphEnv = z.output<z.ZodObject<ReturnType<typeof transactionalSubgraphEnv>>>;

/** The settings startSubgraphProcess takes, from a parsed transactionalSubgraphEnv. */
export function transactionalSubgraphConfigFrom(name: string, parsed: TransactionalSubgraphEnv) {
  return { ...subgraphConfigFrom(parsed), database: databaseConfigFrom(name, parsed) };
}

/** A durable consumer's name: letters, digits, `_` and `-`. */
export const consumerName = (defaultName: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default(defaultName);
