/**
 * Composes the supergraph from the subgraphs' SDL with @apollo/composition (no Rover needed).
 * `npm run compose` writes the result; the gateway runs the committed file; tests compose
 * in-process with the URLs of the subgraphs they started.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse, printSchema } from 'graphql';

const root = path.resolve(import.meta.dirname, '..');

export const SUBGRAPHS = ['ticket', 'reservation', 'price', 'view'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

export const DEFAULT_SUBGRAPH_URLS: Record<SubgraphName, string> = {
  ticket: 'http://127.0.0.1:4001/graphql',
  reservation: 'http://127.0.0.1:4002/graphql',
  price: 'http://127.0.0.1:4003/graphql',
  view: 'http://127.0.0.1:4004/graphql',
};

export const SUPERGRAPH_PATH = path.join(root, 'gateway/supergraph.graphql');
export const API_SCHEMA_PATH = path.join(root, 'gateway/api-schema.graphql');

export function subgraphSdl(name: SubgraphName): string {
  return readFileSync(path.join(root, 'subgraphs', name, 'schema.graphql'), 'utf8');
}

export interface Composition {
  supergraphSdl: string;
  /** The client-facing API: the supergraph without @inaccessible parts and federation internals. */
  apiSchemaSdl: string;
}

export class CompositionFailed extends Error {
  override readonly name = 'CompositionFailed';
}

export function composeSupergraph(urls: Record<SubgraphName, string> = DEFAULT_SUBGRAPH_URLS): Composition {
  const result = composeServices(
    SUBGRAPHS.map((name) => ({ name, url: urls[name], typeDefs: parse(subgraphSdl(name)) })),
  );
  if (result.errors) {
    throw new CompositionFailed(`composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return {
    supergraphSdl: result.supergraphSdl,
    apiSchemaSdl: `${printSchema(result.schema.toAPISchema().toGraphQLJSSchema())}\n`,
  };
}
