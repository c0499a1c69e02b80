/**
 * The benchmark entries, in the order they run. To add one: a module in this folder exporting a
 * `BenchEntry` (see ../support/entry.ts), measured with ../support/load.ts, listed here.
 */
import type { BenchEntry, Headline } from '../support/entry.ts';
import { breakerVsTimeout } from './breaker-vs-timeout.ts';
import { gatewayOptimisations } from './gateway-optimisations.ts';
import { gatewayVsDirect } from './gateway-vs-direct.ts';
import { gatewayVsHive } from './gateway-vs-hive.ts';
import { pgbench } from './pgbench.ts';
import { reservations } from './reservations.ts';
import { viewVsFederated } from './view-vs-federated.ts';

export const ENTRIES: readonly BenchEntry[] = [
  gatewayVsDirect,
  gatewayVsHive,
  gatewayOptimisations,
  viewVsFederated,
  reservations,
  breakerVsTimeout,
  pgbench,
];

/** Figures every run reports under these names; when no entry measured one, the reason is given. */
export const EXPECTED_FIGURES: readonly (Pick<Headline, 'name' | 'label' | 'unit' | 'atLeast'> & {
  whyMissing: string;
})[] = [
  {
    name: 'gateway_vs_direct',
    label: 'our gateway / direct subgraph, req/s',
    unit: 'ratio',
    atLeast: 0.6,
    whyMissing: 'entry gateway-vs-direct did not run',
  },
  {
    name: 'ours_vs_hive_gateway',
    label: 'our gateway / Hive Gateway, federated req/s',
    unit: 'ratio',
    atLeast: 1.0,
    whyMissing: 'entry gateway-vs-hive did not run',
  },
  {
    name: 'view_vs_federated',
    label: 'view / federated join, req/s',
    unit: 'ratio',
    atLeast: 5,
    whyMissing: 'entry view-vs-federated did not run',
  },
  {
    name: 'breaker_vs_timeout_latency',
    label: 'reserveTicket p99 while ticket hangs: timeout only / breaker open',
    unit: 'ratio',
    whyMissing: 'entry breaker-vs-timeout did not run',
  },
  {
    name: 'reservations_per_s',
    label: 'reservations of distinct tickets, end to end',
    unit: 'req/s',
    whyMissing: 'entry reservations did not run',
  },
  {
    name: 'pgbench_tps',
    label: 'pgbench TPC-B-like on the same PostgreSQL (yardstick)',
    unit: 'tx/s',
    whyMissing: 'entry pgbench did not run',
  },
  {
    name: 'saga_p50_ms',
    label: 'saga completion p50 (reserveTicket response → price and view)',
    unit: 'ms',
    whyMissing: 'entry reservations did not run',
  },
  { name: 'saga_p99_ms', label: 'saga completion p99', unit: 'ms', whyMissing: 'entry reservations did not run' },
];
