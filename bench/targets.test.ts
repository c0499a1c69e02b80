import { describe, expect, it } from '@jest/globals';
import { met, verdict } from './targets.ts';

describe('targets', () => {
  it('marks a figure against its bar', () => {
    expect(verdict('reservations_per_s', 151)).toBe('≥ 150 ✓');
    expect(verdict('cpu_ms_per_reservation', 8.5)).toBe('≤ 8 ✗');
    expect(verdict('flash_sale_winners', 50)).toBe('= 50 ✓');
    expect(met('flash_sale_winners', 51)).toBe(false);
    expect(verdict('flash_sale_sold_out_s', null)).toBe('—');
    expect(met('pgbench_tps', 2000)).toBeUndefined();
  });
});
