/**
 * Import boundaries, checked by `npm run lint` (scripts/check-boundaries.ts runs dependency-cruiser
 * with this file; its test, scripts/boundaries.test.ts, shows each rule failing on a wrong import).
 *
 *   ticketing/               the shared kernel: the domain language every subgraph speaks
 *   platform/                technical building blocks; knows the kernel, never a subgraph
 *   subgraphs/<name>/        one subgraph; never another one
 *   subgraphs/<name>/domain/ use cases and rules; no GraphQL, Prisma, NATS or pino, even indirectly
 *   gateway/                 its runtime (all gateway/main.ts reaches) never reaches a subgraph
 *
 * Paths are relative to the repository root; npm packages match whether or not they resolve
 * (a symlinked node_modules resolves outside the tree).
 */

/** An npm package, by name, as a dependency-cruiser path pattern. */
function npm(...names) {
  const alternatives = names.join('|');
  return `(^|/)node_modules/(${alternatives})(/|$)|^(${alternatives})(/|$)`;
}

const GRAPHQL = [
  npm('graphql', 'graphql-tag', '@apollo/[^/]+', '@graphql-[^/]+/[^/]+', '@escape\\.tech/graphql-armor'),
  // Resolver and document types generated from the SDL are GraphQL too.
  '\\.generated\\.ts$',
];
// The generated clients (prisma/<name>/client/) and the Prisma configs are Prisma.
const PRISMA = [npm('@prisma/[^/]+', 'prisma'), '^prisma/'];
const NATS = [npm('@nats-io/[^/]+', 'nats')];
const PINO = [npm('pino', 'pino-[^/]+')];
const TECHNICAL = [...GRAPHQL, ...PRISMA, ...NATS, ...PINO];

const TEST = '\\.test\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-technology-free',
      comment:
        'Domain code states use cases and rules; GraphQL, Prisma, NATS and logging are adapters around it. ' +
        'Reachability counts, so a platform helper that wraps one of them is as wrong as the package. ' +
        'A unit test is exempt: it is the wiring of the use case it tests and may hand it a silent logger.',
      severity: 'error',
      from: { path: '^subgraphs/[^/]+/domain/', pathNot: TEST },
      to: { path: TECHNICAL, reachable: true },
    },
    {
      name: 'subgraphs-are-independent',
      comment:
        'A subgraph talks to another only over GraphQL or events, never through its code. A test is exempt ' +
        "when it checks a contract between two (ticket's test runs the very hold documents reservation sends); " +
        'test helpers are not.',
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/', pathNot: TEST },
      to: { path: '^subgraphs/', pathNot: '^subgraphs/$1/' },
    },
    {
      name: 'platform-knows-no-process',
      comment: 'platform/ holds technical building blocks for every process, so it cannot depend on one.',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(subgraphs|gateway)/' },
    },
    {
      name: 'gateway-runtime-knows-no-subgraph',
      comment:
        "The gateway's runtime (everything gateway/main.ts reaches) knows subgraphs only through the supergraph " +
        'file. Build-time checks beside it (composition, schema checks) are not part of the runtime.',
      severity: 'error',
      from: { path: '^gateway/main\\.ts$' },
      to: { path: '^subgraphs/', reachable: true },
    },
    {
      name: 'kernel-stands-alone',
      comment:
        'ticketing/ is what every subgraph shares about the domain: it depends on no subgraph, no gateway and ' +
        'no platform module, so any of them can use it.',
      severity: 'error',
      from: { path: '^ticketing/' },
      to: { path: '^(subgraphs|gateway|platform)/' },
    },
    {
      name: 'imports-resolve',
      comment: 'An import the checker cannot resolve is one it cannot judge either, so it fails too.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'kernel-is-technology-free',
      comment: 'The shared kernel is domain language: no GraphQL, Prisma, NATS or pino, even indirectly.',
      severity: 'error',
      from: { path: '^ticketing/', pathNot: TEST },
      to: { path: TECHNICAL, reachable: true },
    },
  ],
  options: {
    // Packages and generated code are leaves: their imports are not ours to check. Both stay in
    // the graph, so importing them is still seen.
    doNotFollow: { path: ['(^|/)node_modules/', '^prisma/[^/]+/client/', '\\.generated\\.ts$'] },
    moduleSystems: ['es6', 'cjs'],
    // node_modules is a symlink in some checkouts; report packages under their usual path.
    preserveSymlinks: true,
    // `import type` counts: a domain typed against pino's Logger depends on pino.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      // Type-only packages (@apollo/utils.fetcher) have nothing but `types`.
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
