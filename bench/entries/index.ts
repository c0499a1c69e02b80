/**
 * The benchmark entries, in the order they run. To add one: a module in this folder exporting a
 * `BenchEntry` (see ../support/entry.ts), measured with ../support/load.ts, listed here.
 */
import type { BenchEntry, Headline } from '../support/entry.ts';
import { breakerVsTimeout } from './breaker-vs-timeout.ts';
import { federatedRead } from './federated-read.ts';
import { flashSale } from './flash-sale.ts';
import { flashSaleGateway } from './flash-sale-gateway.ts';
import { gatewayOptimisations } from './gateway-optimisations.ts';
import { gatewayVsDirect } from './gateway-vs-direct.ts';
import { gatewayVsHive } from './gateway-vs-hive.ts';
import { pgbench } from './pgbench.ts';
import { reservations } from './reservations.ts';
import { subscriptionFanout } from './subscription-fanout.ts';
import { tracingOverhead } from './tracing-overhead.ts';
import { viewVsFederated } from './view-vs-federated.ts';

export const ENTRIES: readonly BenchEntry[] = [
  gatewayVsDirect,
  gatewayVsHive,
  gatewayOptimisations,
  federatedRead,
  viewVsFederated,
  reservations,
  flashSale,
  flashSaleGateway,
  breakerVsTimeout,
  subscriptionFanout,
  pgbench,
  tracingOverhead,
];

type ExpectedFigure = Pick<Headline, 'name' | 'label' | 'unit'> & { whyMissing: string };

const measuredBy = (entry: string, figures: Pick<Headline, 'name' | 'label' | 'unit'>[]): ExpectedFigure[] =>
  figures.map((figure) => ({ ...figure, whyMissing: `entry ${entry} did not run` }));

/** Figures every run reports under these names; when no entry measured one, the reason is given. */
export const EXPECTED_FIGURES: readonly ExpectedFigure[] = [
  ...measuredBy('gateway-vs-direct', [
    { name: 'gateway_vs_direct', label: 'our gateway / direct subgraph, req/s', unit: 'ratio' },
  ]),
  ...measuredBy('gateway-vs-hive', [
    { name: 'ours_vs_hive_gateway', label: 'our gateway / Hive Gateway, federated req/s', unit: 'ratio' },
    {
      name: 'ours_vs_hive_gateway_rust_planner',
      label: 'our gateway / Hive Gateway with its Rust query planner, federated req/s',
      unit: 'ratio',
    },
  ]),
  ...measuredBy('federated-read', [
    { name: 'federated_read_per_s', label: 'federated reads at saturation', unit: 'req/s' },
    { name: 'cpu_ms_per_federated_read', label: 'CPU per federated read, across the system', unit: 'ms' },
  ]),
  ...measuredBy('view-vs-federated', [
    { name: 'view_vs_federated', label: 'view / federated join, req/s', unit: 'ratio' },
  ]),
  ...measuredBy('reservations', [
    { name: 'reservations_per_s', label: 'reservations of distinct tickets, end to end', unit: 'req/s' },
    { name: 'cpu_ms_per_reservation', label: 'CPU per reservation, across the system', unit: 'ms' },
    { name: 'saga_p50_ms', label: 'saga completion p50 (reserveTicket response → price and view)', unit: 'ms' },
    { name: 'saga_p99_ms', label: 'saga completion p99', unit: 'ms' },
  ]),
  ...measuredBy('flash-sale', [
    { name: 'flash_sale_winners', label: 'flash sale: winners', unit: 'count' },
    { name: 'flash_sale_sold_out_s', label: 'flash sale: until sold out', unit: 's' },
    { name: 'flash_sale_loser_p99_ms', label: 'flash sale: losers’ p99', unit: 'ms' },
    { name: 'flash_sale_unexpected_errors', label: 'flash sale: unexpected errors', unit: 'count' },
  ]),
  ...measuredBy('breaker-vs-timeout', [
    {
      name: 'breaker_vs_timeout_latency',
      label: 'reserveTicket p99 while ticket hangs: timeout only / breaker open',
      unit: 'ratio',
    },
  ]),
  ...measuredBy('subscription-fanout', [
    { name: 'subscription_fanout_p50_ms', label: 'reserveTicket → 1000 subscribers, p50', unit: 'ms' },
    { name: 'subscription_fanout_p99_ms', label: 'reserveTicket → 1000 subscribers, p99', unit: 'ms' },
    {
      name: 'subscription_cpu_ms_per_event',
      label: 'CPU per delivered subscription event, across the system',
      unit: 'ms',
    },
  ]),
  ...measuredBy('pgbench', [
    { name: 'pgbench_tps', label: 'pgbench TPC-B-like on the same PostgreSQL (yardstick)', unit: 'tx/s' },
  ]),
];
