import { describe, expect, it } from '@jest/globals';
import { ROOT } from '../../system/launcher.ts';
import { renderProfileSummary, summariseProfiles } from './profile.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** A profile of samples 1 ms apart from t = 2000 µs, of the given node ids. */
function profileOf(samples: number[]) {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5] },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('holdTicket', `file://${ROOT}/subgraphs/ticket/data/hold.ts`, 9) },
      { id: 4, callFrame: frame('interpretNode', '/elsewhere/node_modules/@prisma/client/runtime/client.js', 70) },
      { id: 5, callFrame: frame('(garbage collector)') },
    ],
    startTime: 1000,
    endTime: 1000 + (samples.length + 1) * 1000,
    samples,
    timeDeltas: samples.map(() => 1000),
  };
}

const everything = { start: 0, end: Number.POSITIVE_INFINITY };

describe('the profile summary', () => {
  it('sums self time by function and by package over a process’s profiles, leaving out idle samples', () => {
    const summary = summariseProfiles('ticket', [profileOf([2, 3, 3, 4, 3, 5, 2]), profileOf([4, 4, 2])], everything);
    expect(summary.sampledMs).toBe(7);
    expect(summary.functions.map((f) => [f.name, f.area, f.ms])).toEqual([
      ['holdTicket (subgraphs/ticket/data/hold.ts:10)', 'app', 3],
      ['interpretNode (@prisma/client/runtime/client.js:71)', '@prisma/client', 3],
      ['(garbage collector)', '(native)', 1],
    ]);
    expect(summary.packages.map((p) => p.area)).toEqual(['app', '@prisma/client', '(native)']);
  });

  it('counts only the samples taken inside the measured window', () => {
    // Samples are stamped at 2000, 3000, … µs.
    const summary = summariseProfiles('ticket', [profileOf([3, 3, 4, 4, 5])], { start: 3500, end: 5500 });
    expect(summary.functions.map((f) => [f.name, f.ms])).toEqual([
      ['interpretNode (@prisma/client/runtime/client.js:71)', 2],
    ]);
  });

  it('renders each process with its shares', () => {
    const summary = summariseProfiles('ticket', [profileOf([3, 3, 3, 4, 2])], everything);
    const markdown = renderProfileSummary([{ ...summary, cpuMs: 2500 }], `${ROOT}/bench/results/profiles/run`);
    expect(markdown).toContain('### ticket (0.0 s sampled, 2.5 s CPU)');
    expect(markdown).toContain('| 75.0 % | `holdTicket (subgraphs/ticket/data/hold.ts:10)` | app |');
    expect(markdown).toContain('`bench/results/profiles/run/`');
  });
});
