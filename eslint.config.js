// Lint only what the type checker cannot catch; formatting is Prettier's.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import js from '@eslint/js';
import graphql from '@graphql-eslint/eslint-plugin';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
// graphql-config matches a linted file to its project by a path relative to the working directory.
const fromCwd = (file) => path.relative(process.cwd(), path.join(root, file));
const CODE = ['**/*.{js,mjs,cjs,ts}'];

/** The client-facing API (composed) and each subgraph's SDL: the schemas the GraphQL rules judge. */
const SCHEMA_FILES = ['gateway/api-schema.graphql', 'subgraphs/*/schema.graphql'];
const SUBGRAPHS = readdirSync(path.join(root, 'subgraphs')).filter((name) =>
  existsSync(path.join(root, 'subgraphs', name, 'schema.graphql')),
);

/**
 * One graphql-config project per schema, so rules that need the whole schema (known directives and
 * types, unreachable types, strict ids, root fields) judge each file against its own. A subgraph's
 * SDL links the federation spec (`extend schema @link(...)`), so the plugin builds its schema with
 * @apollo/subgraph's buildSubgraphSchema: @key, @shareable, @inaccessible, @link and the entity
 * machinery (_Entity, _Any, _service, _entities) are defined there, not in our files, so they are
 * known to the rules without being linted themselves.
 */
const graphQLConfig = {
  projects: Object.fromEntries([
    ['api', { schema: fromCwd('gateway/api-schema.graphql') }],
    ...SUBGRAPHS.map((name) => [name, { schema: fromCwd(`subgraphs/${name}/schema.graphql`) }]),
  ]),
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'prisma/*/client/',
      '**/*.generated.ts',
      '**/__generated__/',
      '.data/',
      'coverage/',
      'dist/',
    ],
  },
  { files: CODE, ...js.configs.recommended },
  ...tseslint.configs.recommended.map((config) => ({ files: CODE, ...config })),
  {
    files: CODE,
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
    },
  },
  {
    // Tools that read CommonJS configuration, such as dependency-cruiser's .dependency-cruiser.cjs.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The schemas, as a client developer reads them (README "Schema lint"). Operation documents
    // (operations/, reservation's clients/) are validated by `npm run codegen` instead.
    files: SCHEMA_FILES,
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig } },
    plugins: { '@graphql-eslint': graphql },
    rules: {
      ...graphql.configs['flat/schema-recommended'].rules,
      ...graphql.configs['flat/schema-relay'].rules,
      // Stricter than recommended (types, root fields, directives): every field, argument, input
      // field and enum value says what it is, so Sandbox documents the whole API.
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          DirectiveDefinition: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
        },
      ],
      // Types without an `id` of their own: a price is its ticket's (ticketId), a board entry is a
      // row of the view keyed by ticketId or reservationId, the hold is an outcome, and the
      // connection plumbing has no identity. Renaming their fields would break the API.
      '@graphql-eslint/strict-id-in-types': [
        'error',
        { exceptions: { types: ['PageInfo', 'Price', 'TicketHold'], suffixes: ['Connection', 'Edge', 'Entry'] } },
      ],
      // Ticket and Reservation implement Node; the boards' entries do not and must not: an entry is
      // keyed by its ticket's or reservation's own id, and a Node id must be unique across types.
      // pricePolicies stays a plain list: a handful of policies, never paginated.
      '@graphql-eslint/relay-edge-types': ['error', { shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false }],
    },
  },
  {
    // Price has no connection, so no PageInfo of its own; the API's comes from the other subgraphs.
    files: ['subgraphs/price/schema.graphql'],
    rules: { '@graphql-eslint/relay-page-info': 'off' },
  },
);
