import { describe, expect, it } from '@jest/globals';
import { cpuPerOperation, describeCpu, systemCpuMs, type CpuSnapshot } from './cpu.ts';

const snapshot = (
  processes: Record<string, number>,
  loadGenerator: number,
  machine?: { busy: number; total: number },
): CpuSnapshot => ({
  processes: new Map(Object.entries(processes)),
  peers: new Set(['Hive Gateway']),
  loadGenerator,
  machine,
});

describe('CPU per operation', () => {
  const before = snapshot({ gateway: 1000, ticket: 2000, 'Hive Gateway': 0 }, 100, { busy: 10_000, total: 40_000 });
  const after = snapshot({ gateway: 1200, ticket: 2600, 'Hive Gateway': 50 }, 200, { busy: 11_500, total: 42_000 });

  it('splits the machine’s busy time into the system, its peers, the load generator and the rest', () => {
    const cpu = cpuPerOperation(before, after, 100);
    expect(cpu.of).toEqual({ gateway: 2, ticket: 6, 'Hive Gateway': 0.5 });
    expect(cpu.system).toBe(8);
    expect(cpu.loadGenerator).toBe(1);
    // 1500 busy − 850 in watched processes − 100 load generator.
    expect(cpu.restOfMachine).toBe(5.5);
    expect(cpu.machineBusyShare).toBe(0.75);
    expect(systemCpuMs(cpu)).toBe(8);
    expect(describeCpu(cpu, 'reservation')).toContain(
      "gateway 2.00 (25 % of the system's) · ticket 6.00 (75 % of the system's) · " +
        'Hive Gateway 0.50 (a peer, not summed) = 8.00 across the system',
    );
  });

  it('has no figure where no process could be read', () => {
    expect(systemCpuMs(cpuPerOperation(snapshot({}, 0), snapshot({}, 0), 10))).toBeNull();
  });
});
