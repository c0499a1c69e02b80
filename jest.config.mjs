/**
 * Jest in native ESM mode (run with NODE_OPTIONS=--experimental-vm-modules, as `npm test` does),
 * TypeScript compiled by SWC; `npm run typecheck` does the type checking.
 * Tiers: unit tests beside the code, subgraph component tests in subgraphs/<name>/test, and
 * supergraph end-to-end tests in test/supergraph. All talk to real PostgreSQL and NATS.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/prisma/.*/client/'],
  globalSetup: './test/support/global-setup.ts',
  globalTeardown: './test/support/global-teardown.ts',
  testTimeout: 60_000,
  // Component and end-to-end suites start real servers; two workers fit this 2-core machine.
  maxWorkers: 2,
};
