/**
 * The bars the headline figures are held to (issue #13's targets), by their stable names in
 * latest.json `figures`. The report marks each ✓ or ✗ and latest.json `targets` says whether it
 * was met; a figure without an entry here is reported without a bar.
 */
export interface Target {
  /** The figure must be at least this (throughput, ratios). */
  atLeast?: number;
  /** The figure must be at most this (costs, latencies, errors). */
  atMost?: number;
}

export const TARGETS: Readonly<Record<string, Target>> = {
  gateway_vs_direct: { atLeast: 0.8 },
  ours_vs_hive_gateway: { atLeast: 1.2 },
  ours_vs_hive_gateway_rust_planner: { atLeast: 1.0 },
  view_vs_federated: { atLeast: 5 },
  reservations_per_s: { atLeast: 150 },
  cpu_ms_per_reservation: { atMost: 8 },
  federated_read_per_s: { atLeast: 350 },
  cpu_ms_per_federated_read: { atMost: 4 },
  saga_p99_ms: { atMost: 50 },
  flash_sale_winners: { atLeast: 50, atMost: 50 },
  flash_sale_unexpected_errors: { atMost: 0 },
  flash_sale_sold_out_s: { atMost: 3 },
  flash_sale_loser_p99_ms: { atMost: 250 },
};

/** "≥ 150 ✓", "≤ 8 ✗", "= 50 ✓" — empty without a target, "—" without a value. */
export function verdict(name: string, value: number | null): string {
  const target = TARGETS[name];
  if (!target) return '';
  if (value === null) return '—';
  return bars(target)
    .map(({ sign, bar, holds }) => `${sign} ${bar} ${holds(value) ? '✓' : '✗'}`)
    .join(', ');
}

/** Whether a figure met its target; undefined without one, null without a value. */
export function met(name: string, value: number | null): boolean | null | undefined {
  const target = TARGETS[name];
  if (!target) return undefined;
  if (value === null) return null;
  return bars(target).every(({ holds }) => holds(value));
}

function bars({ atLeast, atMost }: Target) {
  if (atLeast !== undefined && atLeast === atMost)
    return [{ sign: '=', bar: atLeast, holds: (v: number) => v === atLeast }];
  return [
    ...(atLeast !== undefined ? [{ sign: '≥', bar: atLeast, holds: (v: number) => v >= atLeast }] : []),
    ...(atMost !== undefined ? [{ sign: '≤', bar: atMost, holds: (v: number) => v <= atMost }] : []),
  ];
}
