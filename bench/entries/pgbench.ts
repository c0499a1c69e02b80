/**
 * The yardstick: what the same PostgreSQL does on this machine with PostgreSQL's own `pgbench`
 * (TPC-B-like transactions: three updates, a select and an insert each), in a database of its
 * own that is dropped afterwards. A reservation is several transactions in several databases
 * (the hold, the reservation with its outbox row, the relay, price's and the view's consumers), so
 * this bounds what the system could do, it is not a target for it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { BenchEntry, EntryResult } from '../support/entry.ts';
import { median } from '../support/load.ts';
import { queryOnce } from '../../system/postgres.ts';

const run = promisify(execFile);
const SCALE = 10;
const CLIENTS = 8;
const THREADS = 2;

export const pgbench: BenchEntry = {
  name: 'pgbench',
  title: `PostgreSQL's own pgbench on the same server (TPC-B-like, scale ${SCALE}, ${CLIENTS} clients)`,
  async run({ stack, load }): Promise<EntryResult> {
    const binary = await findPgbench();
    if (!binary) {
      const why = 'pgbench is not installed (Debian: apt-get install postgresql-client)';
      return {
        headlines: [{ name: 'pgbench_tps', label: 'pgbench TPC-B-like', value: null, unit: 'tx/s', unavailable: why }],
        rows: [],
        raw: {},
      };
    }
    const adminUrl = new URL(stack.adminDatabaseUrl);
    const database = `bench_pgbench_${randomBytes(4).toString('hex')}`;
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    await admin(adminUrl.toString(), `CREATE DATABASE "${database}"`);
    try {
      await run(binary, ['-i', '-q', '-s', String(SCALE), url.toString()], { timeout: 120_000 });
      const bench = async (seconds: number) => {
        const { stdout } = await run(
          binary,
          ['-n', '-c', String(CLIENTS), '-j', String(THREADS), '-T', String(seconds), url.toString()],
          { timeout: (seconds + 60) * 1000 },
        );
        const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
        const latency = /latency average = ([\d.]+) ms/.exec(stdout)?.[1];
        if (!tps) throw new Error(`unexpected pgbench output:\n${stdout}`);
        return { tps: Number(tps), latencyMs: Number(latency) };
      };
      if (load.warmupSeconds > 0) await bench(load.warmupSeconds);
      const rounds = [];
      for (let i = 0; i < load.rounds; i++) rounds.push(await bench(load.roundSeconds));
      const tps = Math.round(median(rounds.map((r) => r.tps)));
      const latencyMs = median(rounds.map((r) => r.latencyMs));
      return {
        headlines: [
          {
            name: 'pgbench_tps',
            label: 'pgbench TPC-B-like on the same PostgreSQL (yardstick)',
            value: tps,
            unit: 'tx/s',
          },
        ],
        rows: [{ label: 'pgbench transactions', requestsPerSecond: tps, note: `average latency ${latencyMs} ms` }],
        raw: { pgbench_tps: tps, pgbench_latency_ms: latencyMs },
      };
    } finally {
      await admin(adminUrl.toString(), `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    }
  },
};

/** On the PATH, or where Debian's server packages put it. */
async function findPgbench(): Promise<string | undefined> {
  const onPath = await run('pgbench', ['--version']).then(
    () => 'pgbench',
    () => undefined,
  );
  return (
    onPath ?? [17, 16, 15, 14, 13].map((v) => `/usr/lib/postgresql/${v}/bin/pgbench`).find((path) => existsSync(path))
  );
}

async function admin(url: string, sql: string): Promise<void> {
  await queryOnce(url, sql);
}
