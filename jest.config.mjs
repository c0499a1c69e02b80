/**
 * Jest in native ESM mode (run with NODE_OPTIONS=--experimental-vm-modules, as the npm scripts do),
 * TypeScript compiled by SWC; `npm run typecheck` does the type checking. Three tiers:
 * - unit: the tests beside the code (domain, platform logic, contracts, config, gateway logic,
 *   scripts). No global setup: they reach no service (`npm run test:unit`).
 * - integration: suites that need PostgreSQL and NATS JetStream — a running subgraph
 *   (subgraphs/<name>/test), the supergraph, faults, operations, the quick start, the
 *   durable consumer and the NATS connection. The global setup finds or starts the services.
 * - deploy: deployment checks, which need kubectl (`npm run test:deploy`).
 * `npm test` runs unit and integration.
 */
const INTEGRATION = [
  '/test/(?!deploy/).*\\.test\\.ts$',
  '/platform/events/(consumer|messaging)\\.test\\.ts$',
  '/platform/database/pool-transaction\\.test\\.ts$',
];
const DEPLOY = ['/test/deploy/.*\\.test\\.ts$'];
const IGNORED = ['/node_modules/', '/prisma/.*/client/'];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
};

const services = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: [...IGNORED, ...INTEGRATION, ...DEPLOY],
      setupFiles: ['<rootDir>/test/support/unit-setup.ts'],
    },
    { ...shared, ...services, displayName: 'integration', testRegex: INTEGRATION, testPathIgnorePatterns: IGNORED },
    // The alert-rule checks also run the supergraph to compare the rules with its metrics.
    { ...shared, ...services, displayName: 'deploy', testRegex: DEPLOY, testPathIgnorePatterns: IGNORED },
  ],
  testTimeout: 60_000,
  // Component and end-to-end suites start real servers; two workers fit this 2-core machine.
  maxWorkers: 2,
  // Each test file loads its own copy of the modules it imports (ESM in vm contexts), so a worker
  // that ran twenty integration files holds over a gigabyte; tearing that heap down at the end
  // outlasted Jest's 500 ms grace ("A worker process has failed to exit gracefully"). A worker
  // past this size is replaced between files instead, so none ends the run that large.
  workerIdleMemoryLimit: '700MB',
};
