/**
 * The checks behind `npm run schema:check`, as functions over SDL and documents so tests can
 * exercise them without git or the file system: breaking changes in the client-facing API, their
 * acknowledgements, freshness of the committed composition, and the contract of the one
 * synchronous call (reservation → ticket's internal holdTicket/releaseTicket).
 */
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { Kind, buildSchema, parse, print, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { gql } from 'graphql-tag';
import { z } from 'zod';
import { HoldTicketDocument, ReleaseTicketDocument } from '../subgraphs/reservation/clients/ticket-hold.generated.ts';
import { API_SCHEMA_PATH, SUPERGRAPH_PATH, subgraphSdl, type Composition } from './composition.ts';

export const ACKNOWLEDGEMENTS_PATH = path.join(path.dirname(API_SCHEMA_PATH), 'schema-acknowledgements.json');

// ---------------------------------------------------------------------------------------------
// Committed composition

export interface CommittedArtifacts {
  /** Undefined when the file does not exist. */
  supergraphSdl: string | undefined;
  apiSchemaSdl: string | undefined;
}

/** The committed files that differ from what composition produces now (absolute paths). */
export function findStaleArtifacts(composed: Composition, committed: CommittedArtifacts): string[] {
  const stale: string[] = [];
  if (committed.supergraphSdl !== composed.supergraphSdl) stale.push(SUPERGRAPH_PATH);
  if (committed.apiSchemaSdl !== composed.apiSchemaSdl) stale.push(API_SCHEMA_PATH);
  return stale;
}

// ---------------------------------------------------------------------------------------------
// Breaking changes and their acknowledgements

export interface BreakingChange {
  /** graphql-inspector's message; acknowledgements must quote it exactly. */
  message: string;
  path: string | undefined;
}

export async function findBreakingChanges(oldSdl: string, newSdl: string): Promise<BreakingChange[]> {
  const changes = await diff(buildSchema(oldSdl), buildSchema(newSdl));
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => ({ message: change.message, path: change.path }));
}

export interface Acknowledgement {
  change: string;
  reason: string;
}

const acknowledgementsFile = z.strictObject({
  acknowledgedBreakingChanges: z.array(
    z.strictObject({
      change: z.string().min(1),
      // An acknowledgement without a reason is a rubber stamp; make the author say why.
      reason: z.string().trim().min(1),
    }),
  ),
});

export class InvalidAcknowledgements extends Error {
  override readonly name = 'InvalidAcknowledgements';
}

export function parseAcknowledgements(json: string): Acknowledgement[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new InvalidAcknowledgements(`not valid JSON: ${(error as Error).message}`);
  }
  const parsed = acknowledgementsFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new InvalidAcknowledgements(
      `expected { "acknowledgedBreakingChanges": [{ "change": "...", "reason": "..." }] }; ${issues.join('; ')}`,
    );
  }
  return parsed.data.acknowledgedBreakingChanges;
}

/**
 * The breaking changes no acknowledgement quotes exactly. Exact matching (no prefixes, no
 * patterns) keeps an old acknowledgement from silently approving a different, later break.
 */
export function unacknowledged(changes: readonly BreakingChange[], acks: readonly Acknowledgement[]): BreakingChange[] {
  const acknowledged = new Set(acks.map((ack) => ack.change));
  return changes.filter((change) => !acknowledged.has(change.message));
}

export function findAcknowledgement(
  change: BreakingChange,
  acks: readonly Acknowledgement[],
): Acknowledgement | undefined {
  return acks.find((ack) => ack.change === change.message);
}

export interface BaseRefChoice {
  ref: string;
  why: string;
}

/**
 * The git ref whose API schema is the baseline. Uncommitted schema changes are checked against
 * HEAD (a developer before committing); otherwise the last commit against its parent (CI on a
 * clean checkout). SCHEMA_BASE_REF overrides both, e.g. a pull request's target branch.
 */
export function chooseBaseRef(envRef: string | undefined, apiSchemaChangedSinceHead: boolean): BaseRefChoice {
  if (envRef) return { ref: envRef, why: 'SCHEMA_BASE_REF' };
  if (apiSchemaChangedSinceHead) return { ref: 'HEAD', why: 'the API schema has uncommitted changes' };
  return { ref: 'HEAD~1', why: 'the API schema is unchanged since HEAD, so the last commit is checked' };
}

// ---------------------------------------------------------------------------------------------
// The reservation → ticket contract

export interface ContractDocument {
  name: string;
  source: string;
}

/** What reservation sends, as it sends it: the generated documents, printed. */
export const TICKET_HOLD_DOCUMENTS: readonly ContractDocument[] = [
  { name: 'HoldTicket', source: print(HoldTicketDocument) },
  { name: 'ReleaseTicket', source: print(ReleaseTicketDocument) },
];

function buildTicketSubgraphSchema(): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: gql(subgraphSdl('ticket')) });
}

function parseDocument(document: ContractDocument): DocumentNode | string {
  try {
    return parse(document.source);
  } catch (error) {
    return `${document.name}: ${(error as Error).message}`;
  }
}

/**
 * Problems with the documents reservation sends straight to the ticket subgraph, validated against
 * ticket's own schema (not the API schema: these mutations are @inaccessible there by design).
 */
export function validateTicketHoldContract(documents: readonly ContractDocument[] = TICKET_HOLD_DOCUMENTS): string[] {
  let schema: GraphQLSchema;
  try {
    schema = buildTicketSubgraphSchema();
  } catch (error) {
    return [`the ticket subgraph schema does not build: ${(error as Error).message}`];
  }
  return documents.flatMap((document) => {
    const parsed = parseDocument(document);
    if (typeof parsed === 'string') return [parsed];
    return validate(schema, parsed).map((error) => `${document.name}: ${error.message}`);
  });
}

function rootFieldsOf(source: string): string[] {
  return parse(source).definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION
      ? definition.selectionSet.selections.flatMap((selection) =>
          selection.kind === Kind.FIELD ? [selection.name.value] : [],
        )
      : [],
  );
}

/** The ticket mutations reservation calls directly: exactly the ones clients must not reach. */
export function internalTicketMutations(documents: readonly ContractDocument[] = TICKET_HOLD_DOCUMENTS): string[] {
  return documents.flatMap((document) => rootFieldsOf(document.source));
}

/** Problems if any internal mutation is reachable through the gateway's client-facing API. */
export function findExposedInternalMutations(
  apiSchemaSdl: string,
  internal: readonly string[] = internalTicketMutations(),
): string[] {
  const mutationFields = buildSchema(apiSchemaSdl).getMutationType()?.getFields() ?? {};
  return internal
    .filter((name) => name in mutationFields)
    .map((name) => `Mutation.${name} is in the client-facing API; mark it @inaccessible in the ticket subgraph`);
}
