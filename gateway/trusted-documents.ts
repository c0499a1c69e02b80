/**
 * Trusted documents: the operations this repository's clients send (operations/*.graphql), kept
 * in a manifest in Apollo's persisted-query-manifest format, served by id. A client sends the id
 * the way Apollo Client's persisted-queries link does, as `extensions.persistedQuery.sha256Hash`.
 *
 * - `off`: no manifest; Apollo Server's automatic persisted queries as usual (development).
 * - `allow`: an id from the manifest, or any full document. A full document is never registered,
 *   so an id outside the manifest stays unknown.
 * - `require`: only ids from the manifest (production). A free-form document is refused with
 *   PERSISTED_QUERY_REQUIRED (400), an unknown id with PERSISTED_QUERY_NOT_FOUND (404).
 *
 * The refusals come before Apollo Server reads the request (after the token and the rate limit);
 * lookups go through its own persisted-query path, with the manifest as a read-only cache: a
 * client sending an id and its document (APQ's registration) adds nothing to it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApolloServerOptions, BaseContext } from '@apollo/server';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import { z } from 'zod';

export const TRUSTED_DOCUMENTS_MODES = ['off', 'allow', 'require'] as const;
export type TrustedDocumentsMode = (typeof TRUSTED_DOCUMENTS_MODES)[number];

/** The committed manifest the gateway serves from (`npm run documents` writes it). */
export const TRUSTED_DOCUMENTS_PATH = fileURLToPath(new URL('./trusted-documents.json', import.meta.url));

export const PERSISTED_QUERY_MANIFEST_FORMAT = 'apollo-persisted-query-manifest';

const manifestSchema = z.object({
  format: z.literal(PERSISTED_QUERY_MANIFEST_FORMAT),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex'),
      name: z.string(),
      type: z.enum(['query', 'mutation', 'subscription']),
      body: z.string(),
    }),
  ),
});

export type PersistedQueryManifest = z.infer<typeof manifestSchema>;

/** The id of a document: the sha256 of its exact text, in hex (what Apollo's clients send). */
export function documentId(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Reads and checks a manifest: its format, and every id the sha256 of its body. */
export function readManifest(path: string): PersistedQueryManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`trusted documents: cannot read ${path}: ${(error as Error).message}`);
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) throw new Error(`trusted documents: ${path} is not a persisted-query manifest: ${result.error}`);
  const wrong = result.data.operations.filter((operation) => operation.id !== documentId(operation.body));
  if (wrong.length > 0) {
    throw new Error(`trusted documents: ${path}: ids that are not their body's sha256: ${wrong.map((o) => o.name)}`);
  }
  return result.data;
}

/** A GraphQL request as it arrived over HTTP: the query string, and the parsed JSON body of a POST. */
export interface GraphQLHttpRequest {
  search: string;
  body: unknown;
}

export interface TrustedDocuments<TContext extends BaseContext> {
  /** Apollo Server's `persistedQueries` option for the mode. */
  persistedQueries: ApolloServerOptions<TContext>['persistedQueries'];
  /**
   * Throws the refusal for a request the mode does not serve (an HTTP 4xx GraphQLError), before
   * Apollo Server reads the request.
   */
  admit(request: GraphQLHttpRequest): void;
}

/** What the gateway needs to serve `manifest` in `mode`. */
export function trustedDocuments<TContext extends BaseContext>(
  mode: TrustedDocumentsMode,
  manifest: PersistedQueryManifest | undefined,
): TrustedDocuments<TContext> {
  // Off: Apollo Server's default automatic persisted queries (an in-memory cache per replica).
  if (mode === 'off') return { persistedQueries: undefined, admit: () => {} };
  if (!manifest) throw new Error(`trusted documents: mode ${mode} needs a manifest`);
  const bodies = new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
  return {
    persistedQueries: { cache: readOnlyCache(bodies), ttl: null },
    admit(request) {
      const { id, query } = documentOf(request);
      if (id === undefined) {
        if (mode === 'require' && query !== undefined) throw persistedQueryRequired();
        return;
      }
      // An id outside the manifest is unknown, even with its document beside it (no registration).
      if (!bodies.has(id) && (mode === 'require' || query === undefined)) throw persistedQueryNotFound();
    },
  };
}

/** The id (`extensions.persistedQuery.sha256Hash`) and the document of a POST body or a GET query string. */
function documentOf(request: GraphQLHttpRequest): { id?: string; query?: unknown } {
  const body = request.body;
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const { query, extensions } = body as { query?: unknown; extensions?: unknown };
    return { id: persistedQueryIdOf(extensions), query };
  }
  const params = new URLSearchParams(request.search);
  let extensions: unknown;
  try {
    extensions = JSON.parse(params.get('extensions') ?? 'null');
  } catch {
    // Apollo Server refuses malformed extensions itself.
  }
  return { id: persistedQueryIdOf(extensions), query: params.get('query') ?? undefined };
}

function persistedQueryIdOf(extensions: unknown): string | undefined {
  const persistedQuery = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | null)?.persistedQuery;
  return typeof persistedQuery?.sha256Hash === 'string' ? persistedQuery.sha256Hash : undefined;
}

const APQ_KEY_PREFIX = 'apq:';

/**
 * The manifest as Apollo Server's persisted-query cache: it answers lookups and ignores writes.
 * Apollo Server prefixes the keys it asks for with `apq:`.
 */
function readOnlyCache(bodies: ReadonlyMap<string, string>): KeyValueCache<string> {
  const idOf = (key: string) => (key.startsWith(APQ_KEY_PREFIX) ? key.slice(APQ_KEY_PREFIX.length) : key);
  return {
    get: async (key) => bodies.get(idOf(key)),
    set: async () => {},
    delete: async () => false,
  };
}

function persistedQueryRequired(): GraphQLError {
  return new GraphQLError('only trusted documents are served: send a known id in extensions.persistedQuery', {
    extensions: { code: 'PERSISTED_QUERY_REQUIRED', http: { status: 400 } },
  });
}

function persistedQueryNotFound(): GraphQLError {
  return new GraphQLError('no trusted document has this id', {
    extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 404 } },
  });
}
