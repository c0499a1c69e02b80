/**
 * `npm run chaos -- [--seed N] [--duration SECONDS] [--nats-nodes 1|3] [--no-cases] [--log-level L]`:
 * one nemesis run; prints the seed first (a run is repeated with the same seed), then the
 * summary, and exits non-zero on any violation.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { randomSeed } from './random.ts';
import { formatSummary, runNemesis } from './run-nemesis.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    duration: { type: 'string', default: '60' },
    'nats-nodes': { type: 'string', default: '1' },
    'no-cases': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
  },
});
const args = z
  .object({
    seed: z.coerce
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    duration: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 3600),
    natsNodes: z.union([z.literal(1), z.literal(3)]),
  })
  .safeParse({ seed: values.seed ?? randomSeed(), duration: values.duration, natsNodes: Number(values['nats-nodes']) });
if (!args.success) {
  say(`usage: npm run chaos -- [--seed N] [--duration SECONDS] [--nats-nodes 1|3] [--no-cases]\n${args.error.message}`);
  process.exit(64);
}
const { seed, duration, natsNodes } = args.data;
say(
  `nemesis seed ${seed} (repeat with: npm run chaos -- --seed ${seed} --duration ${duration} --nats-nodes ${natsNodes})`,
);
const started = Date.now();
const summary = await runNemesis({
  seed,
  durationMs: duration * 1000,
  natsNodes,
  sigstopCase: !values['no-cases'],
  leaderKill: !values['no-cases'] && natsNodes > 1,
  logLevel: values['log-level'],
  log: (line) => say(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
});
say(formatSummary(summary));
process.exit(summary.passed ? 0 : 1);
