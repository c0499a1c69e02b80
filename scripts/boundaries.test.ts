/**
 * The import boundaries of .dependency-cruiser.cjs, as `npm run lint` checks them: a small tree
 * with one deliberately wrong import per rule fails with exactly those violations, and this
 * repository passes.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IViolation } from 'dependency-cruiser';
import { checkBoundaries } from './check-boundaries.ts';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// A whole-tree cruise parses every file with the TypeScript compiler: slow on a busy machine.
const CRUISE_TIMEOUT_MS = 180_000;

/** Path → source of a tree laid out like this repository, with one wrong import per rule. */
const FIXTURE: Record<string, string> = {
  'ticketing/errors.ts': 'export class DomainError extends Error {}\n',
  'ticketing/leans-on-platform.ts': "export { log } from '../platform/log.ts';\n",
  'platform/log.ts': "import { pino } from 'pino';\nexport const log = pino();\n",
  'platform/knows-a-subgraph.ts': "export { rule } from '../subgraphs/beta/domain/rule.ts';\n",
  'subgraphs/alpha/domain/uses-graphql.ts': "import { GraphQLError } from 'graphql';\nexport const E = GraphQLError;\n",
  'subgraphs/alpha/domain/uses-prisma.ts':
    "import type { PrismaClient } from '@prisma/client';\nexport type C = PrismaClient;\n",
  'subgraphs/alpha/domain/uses-nats.ts':
    "import { jetstream } from '@nats-io/jetstream';\nexport const js = jetstream;\n",
  'subgraphs/alpha/domain/uses-pino.ts': "import type { Logger } from 'pino';\nexport type L = Logger;\n",
  'subgraphs/alpha/domain/logs-through-platform.ts': "export { log } from '../../../platform/log.ts';\n",
  'subgraphs/alpha/domain/speaks-the-kernel.ts': "export { DomainError } from '../../../ticketing/errors.ts';\n",
  'subgraphs/alpha/domain/speaks-the-kernel.test.ts': "import { pino } from 'pino';\nexport const silent = pino();\n",
  'subgraphs/alpha/data/reads-beta.ts': "export { rule } from '../../beta/domain/rule.ts';\n",
  'subgraphs/alpha/test/contract.test.ts': "export { rule } from '../../beta/domain/rule.ts';\n",
  'subgraphs/beta/domain/rule.ts': 'export const rule = 1;\n',
  'gateway/main.ts': "import './server.ts';\n",
  'gateway/server.ts': "export { rule } from '../subgraphs/beta/domain/rule.ts';\n",
  'gateway/schema-checks.ts': "export { rule } from '../subgraphs/beta/domain/rule.ts';\n",
  'gateway/misspelt.ts': "export { rule } from './no-such-module.ts';\n",
};

/** One line per violation: the rule, the importer and the module it must not reach. */
function describeViolation(violation: IViolation): string {
  const packageName = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(violation.to)?.[1];
  return `${violation.rule.name}: ${violation.from} → ${packageName ?? violation.to}`;
}

describe('import boundaries', () => {
  let tree: string;

  beforeAll(() => {
    tree = mkdtempSync(path.join(tmpdir(), 'boundaries-'));
    // The packages resolve as they do in the repository.
    symlinkSync(path.join(REPOSITORY, 'node_modules'), path.join(tree, 'node_modules'));
    for (const [file, source] of Object.entries(FIXTURE)) {
      mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
      writeFileSync(path.join(tree, file), source);
    }
  });

  afterAll(() => {
    rmSync(tree, { recursive: true, force: true });
  });

  it(
    'when code imports across a boundary, each wrong import is reported under its rule and nothing else is',
    async () => {
      const { violations, report } = await checkBoundaries(tree, ['ticketing', 'platform', 'subgraphs', 'gateway']);

      expect(violations.map(describeViolation).sort()).toEqual(
        [
          'domain-is-technology-free: subgraphs/alpha/domain/uses-graphql.ts → graphql',
          'domain-is-technology-free: subgraphs/alpha/domain/uses-prisma.ts → @prisma/client',
          'domain-is-technology-free: subgraphs/alpha/domain/uses-nats.ts → @nats-io/jetstream',
          'domain-is-technology-free: subgraphs/alpha/domain/uses-pino.ts → pino',
          'domain-is-technology-free: subgraphs/alpha/domain/logs-through-platform.ts → pino',
          'subgraphs-are-independent: subgraphs/alpha/data/reads-beta.ts → subgraphs/beta/domain/rule.ts',
          'platform-knows-no-process: platform/knows-a-subgraph.ts → subgraphs/beta/domain/rule.ts',
          'gateway-runtime-knows-no-subgraph: gateway/main.ts → subgraphs/beta/domain/rule.ts',
          'kernel-stands-alone: ticketing/leans-on-platform.ts → platform/log.ts',
          'kernel-is-technology-free: ticketing/leans-on-platform.ts → pino',
          'imports-resolve: gateway/misspelt.ts → ./no-such-module.ts',
        ].sort(),
      );
      expect(violations.every((violation) => violation.rule.severity === 'error')).toBe(true);
      expect(report).toContain('domain-is-technology-free');
    },
    CRUISE_TIMEOUT_MS,
  );

  it(
    'this repository keeps every boundary',
    async () => {
      const { violations, report } = await checkBoundaries();

      expect({ violations: violations.map(describeViolation), report }).toMatchObject({ violations: [] });
    },
    CRUISE_TIMEOUT_MS,
  );
});
