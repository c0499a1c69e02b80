/**
 * `npm run bench`: starts the whole system on this machine (each process its own), runs every
 * entry in bench/entries/ in order, prints the table and writes bench/results/latest.md and
 * latest.json. Loopback only; every measurement is bounded in time. See README § Benchmarks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ConfigError } from '../platform/config.ts';
import { assertJetStreamAt } from '../platform/events/jetstream.ts';
import { loadBenchConfig, type BenchConfig } from './config.ts';
import { ENTRIES, EXPECTED_FIGURES } from './entries/index.ts';
import type { EntryContext } from './support/entry.ts';
import { ROOT } from '../system/launcher.ts';
import { machineFacts, renderJson, renderMarkdown, type EntryOutcome } from './support/report.ts';
import { createProfiler, renderProfileSummary } from './support/profile.ts';
import { untilSettled } from './support/settled.ts';
import { startStack } from './support/stack.ts';

/** How long the events an entry caused may take to be handled before the next entry starts. */
const SETTLE_TIMEOUT_MS = 180_000;

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

let config: BenchConfig;
try {
  config = loadBenchConfig(process.env, process.argv.slice(2));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  log(error.message);
  process.exit(78);
}
const startedAt = new Date();
const selected = config.only ? ENTRIES.filter((entry) => config.only!.includes(entry.name)) : ENTRIES;
if (config.only && selected.length !== config.only.length) {
  log(`BENCH_ONLY names unknown entries; known: ${ENTRIES.map((e) => e.name).join(', ')}`);
  process.exit(78);
}

let postgresVersion: string;
try {
  postgresVersion = await postgresVersionAt(config.databaseUrl);
  await assertJetStream(config.natsUrl);
} catch (error) {
  log((error as Error).message);
  process.exit(1);
}
const resultsDir = path.resolve(ROOT, config.resultsDir);
const profiler = config.profile ? createProfiler(resultsDir, startedAt) : undefined;
if (profiler) log(`profiling every process: ${path.relative(ROOT, profiler.dir)}/`);
const stack = await startStack(config, log, profiler);
log(`system up and seeded in ${Math.round((Date.now() - startedAt.getTime()) / 1000)} s`);
let interrupted = false;
const stopOnSignal = () => {
  interrupted = true;
  log('interrupted: stopping the processes and dropping the bench databases');
  void stack.stop().finally(() => process.exit(130));
};
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);

const outcomes: EntryOutcome[] = [];
try {
  const context: EntryContext = { stack, load: config.load, log };
  profiler?.markStart(stack.running());
  for (const entry of selected) {
    if (interrupted) break;
    log(`${entry.name}: ${entry.title}`);
    const began = performance.now();
    try {
      // Each entry starts on a quiet system, not on the events the previous one left to handle.
      await untilSettled(stack, SETTLE_TIMEOUT_MS);
      const result = await entry.run(context);
      outcomes.push({ name: entry.name, title: entry.title, seconds: (performance.now() - began) / 1000, result });
    } catch (error) {
      log(`${entry.name} failed: ${(error as Error).stack ?? String(error)}`);
      outcomes.push({
        name: entry.name,
        title: entry.title,
        seconds: (performance.now() - began) / 1000,
        error: (error as Error).message,
      });
    }
  }
} finally {
  profiler?.markEnd(stack.running());
  await stack.stop();
}

const seconds = (Date.now() - startedAt.getTime()) / 1000;
const machine = machineFacts(postgresVersion);
const complete = withExpectedFigures(outcomes);
mkdirSync(resultsDir, { recursive: true });
let markdown = renderMarkdown(complete, machine, config.load, startedAt, seconds, config.profile);
if (profiler) {
  const summary = renderProfileSummary(profiler.summarise(), profiler.dir);
  writeFileSync(
    path.join(resultsDir, 'profile-summary.md'),
    `# Benchmark CPU profile\n\nRun of ${startedAt.toISOString()}.\n\n${summary}`,
  );
  markdown += `\n${summary}`;
}
writeFileSync(path.join(resultsDir, 'latest.md'), markdown);
writeFileSync(
  path.join(resultsDir, 'latest.json'),
  renderJson(complete, machine, config.load, startedAt, seconds, config.profile),
);
process.stdout.write(markdown);
log(`written to ${path.relative(ROOT, resultsDir)}/latest.md and latest.json in ${Math.round(seconds)} s`);
process.exit(outcomes.some((outcome) => outcome.error) ? 1 : 0);

/** Every stable figure appears in the results, measured or with the reason it is not. */
function withExpectedFigures(measured: EntryOutcome[]): EntryOutcome[] {
  const present = new Set(measured.flatMap((o) => o.result?.headlines.map((h) => h.name) ?? []));
  const missing = EXPECTED_FIGURES.filter((figure) => !present.has(figure.name));
  if (missing.length === 0) return measured;
  return [
    ...measured,
    {
      name: 'not-measured',
      title: 'Figures not measured in this run',
      seconds: 0,
      result: {
        headlines: missing.map((figure) => ({
          ...figure,
          value: null,
          unavailable: config.only ? 'entry not selected (BENCH_ONLY)' : figure.whyMissing,
        })),
        rows: [],
        raw: {},
      },
    },
  ];
}

async function postgresVersionAt(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `the benchmark needs PostgreSQL at ${url} (BENCH_DATABASE_URL), a role that may create databases: ${(error as Error).message}`,
    );
  }
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${rows[0]!.server_version.split(' ')[0]}`;
  } finally {
    await client.end();
  }
}

async function assertJetStream(url: string): Promise<void> {
  try {
    await assertJetStreamAt(url);
  } catch (error) {
    throw new Error(
      `the benchmark needs NATS with JetStream at ${url} (BENCH_NATS_URL), e.g. \`nats-server -js\`: ${(error as Error).message}`,
    );
  }
}
