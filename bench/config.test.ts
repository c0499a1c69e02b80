import { describe, expect, it } from '@jest/globals';
import { loadBenchConfig } from './config.ts';

describe('bench results directory', () => {
  it('keeps the run of record apart from a profiled run, whose figures carry the profiler', () => {
    expect(loadBenchConfig({}).resultsDir).toBe('bench/results');
    expect(loadBenchConfig({}, ['--profile']).resultsDir).toBe('bench/results/profiled');
    expect(loadBenchConfig({ BENCH_PROFILE: '1' }).resultsDir).toBe('bench/results/profiled');
  });

  it('writes where BENCH_RESULTS_DIR says, profiled or not', () => {
    expect(loadBenchConfig({ BENCH_RESULTS_DIR: '/tmp/x' }, ['--profile']).resultsDir).toBe('/tmp/x');
  });
});
