import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../../system/launcher.ts';
import { groupOf, renderProfileSummary, summariseProfiles } from './profile.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** A profile of samples 1 ms apart from t = 1000 µs, of the given node ids. */
function profileOf(samples: number[]) {
  return {
    nodes: [
      { id: 1, callFrame: frame('(idle)') },
      { id: 2, callFrame: frame('holdTicket', `file://${ROOT}/subgraphs/ticket/data/hold.ts`, 9) },
      { id: 3, callFrame: frame('interpretNode', '/elsewhere/node_modules/@prisma/client/runtime/client.js', 70) },
      { id: 4, callFrame: frame('(garbage collector)') },
    ],
    startTime: 1000,
    endTime: 1000 + (samples.length + 1) * 1000,
    samples,
    timeDeltas: samples.map(() => 1000),
  };
}

describe('the profile summary', () => {
  it('sums self time by function and by package, leaving out idle samples', () => {
    const summary = summariseProfiles('ticket', [profileOf([1, 2, 2, 3, 2, 4, 1])], {
      start: 0,
      end: Number.POSITIVE_INFINITY,
    });
    expect(summary.sampledMs).toBe(5);
    expect(summary.functions.map((f) => [f.label, f.where, f.ms])).toEqual([
      ['holdTicket', 'subgraphs/ticket/data/hold.ts:10', 3],
      ['interpretNode', 'node_modules/@prisma/client/runtime/client.js:71', 1],
      ['(garbage collector)', '', 1],
    ]);
    expect(summary.groups[0]).toEqual({ group: 'subgraphs/ticket', ms: 3 });
  });

  it('counts only the samples taken inside the measured window', () => {
    // Samples are stamped at 2000, 3000, … µs.
    const summary = summariseProfiles('ticket', [profileOf([2, 2, 3, 3, 4])], { start: 3500, end: 5500 });
    expect(summary.functions.map((f) => [f.label, f.ms])).toEqual([['interpretNode', 2]]);
  });

  it('names what a function belongs to', () => {
    expect(groupOf('x', 'node:internal/streams/duplex')).toBe('Node.js core');
    expect(groupOf('x', '/a/node_modules/pg/lib/result.js')).toBe('pg');
    expect(groupOf('x', '/a/node_modules/@apollo/server/dist/esm/x.js')).toBe('@apollo/server');
    expect(groupOf('x', `file://${ROOT}/platform/http/server.ts`)).toBe('platform');
    expect(groupOf('(garbage collector)', '')).toBe('V8: garbage collection');
  });

  it('renders each process with its shares', () => {
    const summary = summariseProfiles('ticket', [profileOf([2, 2, 2, 3])], { start: 0, end: Infinity });
    const markdown = renderProfileSummary([{ ...summary, cpuMs: 2500 }], `${ROOT}/bench/results/profiles/run`);
    expect(markdown).toContain('### ticket (0.0 s sampled, 2.5 s CPU)');
    expect(markdown).toContain('| 75.0 % | `holdTicket` | `subgraphs/ticket/data/hold.ts:10` | subgraphs/ticket |');
    expect(markdown).toContain('`bench/results/profiles/run/`');
  });
});
