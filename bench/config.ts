/**
 * The benchmark's settings, read from the environment once. Defaults fit the whole run into a
 * few minutes on a 2-core machine; every figure is a median of several bounded rounds.
 */
import { z } from 'zod';
import { flag, integer, parseConfig } from '../platform/config.ts';

const schema = z.object({
  /** A PostgreSQL role that may create databases; the bench creates its own and drops them. */
  BENCH_DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\/([^@/]*@)?(127\.0\.0\.1|localhost|\[::1\])[:/]/,
      'must be a postgresql:// URL on the loopback',
    )
    .default('postgresql://postgres@127.0.0.1:5432/postgres'),
  BENCH_NATS_URL: z
    .string()
    .regex(/^nats:\/\/([^@/]*@)?(127\.0\.0\.1|localhost)(:\d+)?\/?$/, 'must be a nats:// URL on the loopback')
    .default('nats://127.0.0.1:4222'),
  /** Unmeasured load before each measured series, in seconds. */
  BENCH_WARMUP_S: integer(0, 60, 2),
  /** Measured rounds per target; the median is reported. */
  BENCH_ROUNDS: integer(1, 15, 3),
  /** Length of one measured round, in seconds. */
  BENCH_ROUND_S: integer(1, 60, 5),
  /** Concurrent connections of the load generator. */
  BENCH_CONNECTIONS: integer(1, 256, 16),
  /** Comma-separated entry names to run (default: all). */
  BENCH_ONLY: z.string().optional(),
  /**
   * Where latest.md and latest.json go: by default bench/results, the run of record, or
   * bench/results/profiled for a profiled run (whose figures carry the profiler's cost).
   */
  BENCH_RESULTS_DIR: z.string().optional(),
  /** Run every process under test with `--cpu-prof` and summarise where its CPU goes (or `--profile`). */
  BENCH_PROFILE: flag(false),
  /** Log level of the processes under test. */
  BENCH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

export function loadBenchConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []) {
  const parsed = parseConfig(schema, env);
  const profile = parsed.BENCH_PROFILE || argv.includes('--profile');
  return {
    databaseUrl: parsed.BENCH_DATABASE_URL,
    natsUrl: parsed.BENCH_NATS_URL,
    load: {
      warmupSeconds: parsed.BENCH_WARMUP_S,
      rounds: parsed.BENCH_ROUNDS,
      roundSeconds: parsed.BENCH_ROUND_S,
      connections: parsed.BENCH_CONNECTIONS,
    },
    only: parsed.BENCH_ONLY?.split(',').map((name) => name.trim()),
    resultsDir: parsed.BENCH_RESULTS_DIR ?? (profile ? 'bench/results/profiled' : 'bench/results'),
    logLevel: parsed.BENCH_LOG_LEVEL,
    profile,
  };
}

export type BenchConfig = ReturnType<typeof loadBenchConfig>;
export type LoadSettings = BenchConfig['load'];
