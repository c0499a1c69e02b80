/**
 * `npm run codegen`, with graphql-codegen:
 * - each subgraph's resolver types from its schema.graphql (typescript and typescript-resolvers,
 *   in federation mode) into `subgraphs/<name>/graphql/resolver-types.generated.ts`;
 * - typed documents (typescript-operations and typed-document-node) of the operations clients
 *   send: `operations/*.graphql`, validated against the client-facing API, into
 *   `operations/documents.generated.ts`, and reservation's calls to ticket,
 *   `subgraphs/reservation/clients/ticket-hold.graphql`, validated against the ticket subgraph's
 *   own schema (they are @inaccessible in the API), into `ticket-hold.generated.ts` beside it.
 * The files are committed, so the code type-checks on a fresh clone; `npm test` fails when one no
 * longer matches its sources (scripts/codegen.test.ts).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { codegen } from '@graphql-codegen/core';
import type { Types } from '@graphql-codegen/plugin-helpers';
import * as typedDocumentNodePlugin from '@graphql-codegen/typed-document-node';
import * as typescriptPlugin from '@graphql-codegen/typescript';
import * as operationsPlugin from '@graphql-codegen/typescript-operations';
import * as resolversPlugin from '@graphql-codegen/typescript-resolvers';
import { parse, printSchema, type DocumentNode } from 'graphql';
import { gql } from 'graphql-tag';
import { format, resolveConfig } from 'prettier';
import { API_SCHEMA_PATH, SUBGRAPHS, subgraphSdl, type SubgraphName } from '../gateway/composition.ts';

const root = path.resolve(import.meta.dirname, '..');

/**
 * What each subgraph's resolvers receive and return instead of the GraphQL types: its context,
 * and its domain's types (paths relative to the generated file).
 */
const SUBGRAPH_TYPES: Record<SubgraphName, { context: string; mappers: Record<string, string> }> = {
  ticket: {
    context: './resolvers.ts#TicketContext',
    mappers: {
      Ticket: '../domain/ticket.ts#Ticket',
      TicketHold: '../domain/hold-ticket.ts#TicketHold',
    },
  },
  reservation: {
    context: './resolvers.ts#ReservationContext',
    mappers: {
      Reservation: '../domain/reservation.ts#Reservation',
    },
  },
  price: {
    context: './resolvers.ts#PriceContext',
    mappers: {
      Price: '../domain/price.ts#Price',
      PricePolicy: '../domain/price.ts#PricePolicy',
    },
  },
  view: {
    context: './resolvers.ts#ViewContext',
    mappers: {
      TicketBoardEntry: '../domain/board.ts#TicketBoardEntry',
      ReservationBoardEntry: '../domain/board.ts#ReservationBoardEntry',
    },
  },
};

/**
 * The plugin's federation mode declares the directives of federation 1 (`@key` and the rest) but
 * not the `@link` that imports them nor those federation 2 added; resolvers are typed the same.
 */
const LINK = /^extend schema @link\([^)]*\)\s*$/m;
const FEDERATION_2_DIRECTIVES = `
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
`;

export const generatedPath = (subgraph: SubgraphName) =>
  path.join(root, 'subgraphs', subgraph, 'graphql', 'resolver-types.generated.ts');

export async function generateResolverTypes(subgraph: SubgraphName): Promise<string> {
  const sdl = subgraphSdl(subgraph);
  const { context, mappers } = SUBGRAPH_TYPES[subgraph];
  const config: Types.GenerateOptions = {
    filename: generatedPath(subgraph),
    schema: parse(`${sdl.replace(LINK, '')}\n${FEDERATION_2_DIRECTIVES}`),
    documents: [],
    plugins: [{ typescript: {} }, { typescriptResolvers: {} }],
    pluginMap: { typescript: typescriptPlugin, typescriptResolvers: resolversPlugin },
    config: {
      federation: true,
      contextType: context,
      mappers,
      mapperTypeSuffix: 'Model',
      enumsAsTypes: true,
      useTypeImports: true,
      // Every scalar typed (none falls back to `any`); _FieldSet is what federation's @key takes.
      strictScalars: true,
      scalars: { DateTime: { input: 'Date', output: 'Date | string' }, _FieldSet: 'string' },
    },
  };
  return generatedFile(config, `subgraphs/${subgraph}/schema.graphql`);
}

/** A set of operation documents, the schema they are validated against, and their typed output. */
export interface DocumentSet {
  /** The `.graphql` files, relative to the repository's root. */
  sources: string[];
  /** What the documents are validated against, as the header of the generated file says. */
  schemaName: string;
  schema: () => DocumentNode;
  /** The generated file, relative to the repository's root. */
  output: string;
}

const OPERATIONS_DIR = 'operations';
const TICKET_HOLD_DOCUMENTS = 'subgraphs/reservation/clients/ticket-hold.graphql';

export const DOCUMENT_SETS: readonly DocumentSet[] = [
  {
    sources: readdirSync(path.join(root, OPERATIONS_DIR))
      .filter((file) => file.endsWith('.graphql'))
      .sort()
      .map((file) => `${OPERATIONS_DIR}/${file}`),
    schemaName: path.relative(root, API_SCHEMA_PATH),
    schema: () => parse(readFileSync(API_SCHEMA_PATH, 'utf8')),
    output: `${OPERATIONS_DIR}/documents.generated.ts`,
  },
  {
    sources: [TICKET_HOLD_DOCUMENTS],
    schemaName: 'subgraphs/ticket/schema.graphql',
    // Built as a subgraph, so federation's directives are defined and @inaccessible fields stay.
    schema: () => parse(printSchema(buildSubgraphSchema({ typeDefs: gql(subgraphSdl('ticket')) }))),
    output: TICKET_HOLD_DOCUMENTS.replace(/\.graphql$/, '.generated.ts'),
  },
];

export async function generateTypedDocuments(set: DocumentSet): Promise<string> {
  const config: Types.GenerateOptions = {
    filename: path.join(root, set.output),
    schema: set.schema(),
    // codegen validates every document against the schema and fails on the first that does not fit.
    documents: set.sources.map((source) => ({
      location: source,
      document: parse(readFileSync(path.join(root, source), 'utf8')),
    })),
    plugins: [{ typescriptOperations: {} }, { typedDocumentNode: {} }],
    pluginMap: { typescriptOperations: operationsPlugin, typedDocumentNode: typedDocumentNodePlugin },
    config: {
      enumType: 'string-literal',
      useTypeImports: true,
      // Exactly what travels in JSON: dates are ISO-8601 strings both ways. A scalar not named here
      // (federation's own, in the ticket subgraph's schema) is `unknown`, never `any`.
      scalars: { DateTime: 'string' },
      defaultScalarType: 'unknown',
    },
  };
  return generatedFile(config, `${set.sources.join(', ')} against ${set.schemaName}`);
}

async function generatedFile(config: Types.GenerateOptions, from: string): Promise<string> {
  const code = `// Generated by \`npm run codegen\` from ${from}. Do not edit.\n${await codegen(config)}`;
  return format(code, { ...(await resolveConfig(config.filename)), filepath: config.filename });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const write = (file: string, code: string) => {
    writeFileSync(file, code);
    process.stdout.write(`wrote ${path.relative(root, file)}\n`);
  };
  for (const subgraph of SUBGRAPHS) write(generatedPath(subgraph), await generateResolverTypes(subgraph));
  for (const set of DOCUMENT_SETS) write(path.join(root, set.output), await generateTypedDocuments(set));
}
