/**
 * GraphQL over HTTP as any client of this API sends it: a POST with a typed document from
 * documents.generated.ts, its typed data back. The tests and the benchmark both send through it;
 * it sits here, beside the documents, because the benchmark imports no test code and `platform/`
 * holds only what the running processes share.
 */
import { createHash } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print, type DocumentNode } from 'graphql';

export interface GraphQLResultError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GraphQLResult<TData> {
  status: number;
  headers: Headers;
  data?: TData | null;
  errors?: GraphQLResultError[];
}

export interface RequestOptions<TVariables> {
  variables?: TVariables;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  headers?: Record<string, string>;
}

const texts = new WeakMap<DocumentNode, string>();

/** The text sent for a document, printed once. */
export function operationText(document: DocumentNode): string {
  let text = texts.get(document);
  if (text === undefined) {
    text = print(document);
    texts.set(document, text);
  }
  return text;
}

/** The JSON body of a request for `document`, for senders of their own (the benchmark's load). */
export function requestBody<TVariables>(document: TypedDocumentNode<unknown, TVariables>, variables?: TVariables) {
  return JSON.stringify({ query: operationText(document), variables });
}

export function graphql<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  options?: RequestOptions<TVariables>,
): Promise<GraphQLResult<TData>> {
  return post<TData>(url, { query: operationText(document) }, options);
}

/**
 * A request whose text no document describes: malformed, over a limit, or not in the API. Its
 * data is whatever the caller says it expects.
 */
export function graphqlText<TData = unknown>(
  url: string,
  query: string,
  options?: RequestOptions<Record<string, unknown>>,
): Promise<GraphQLResult<TData>> {
  return post<TData>(url, { query }, options);
}

/**
 * `document` sent by id only, as Apollo Client's persisted-queries link sends it: the sha256 of
 * its text in `extensions.persistedQuery` (a gateway with trusted documents knows it by that id).
 */
export function graphqlById<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  options?: RequestOptions<TVariables>,
): Promise<GraphQLResult<TData>> {
  return post<TData>(url, { extensions: persistedQueryExtension(operationText(document)) }, options);
}

/** APQ's `extensions` naming a document by id (`persistedQuery`, version 1, the sha256 of `text`). */
export function persistedQueryExtension(text: string) {
  return { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(text).digest('hex') } };
}

/** The data of a request that must succeed; otherwise an error naming what failed. */
export async function mustQuery<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  options?: RequestOptions<TVariables>,
): Promise<TData> {
  const result = await graphql(url, document, options);
  if (result.status !== 200 || result.errors?.length || !result.data) {
    const { status, data, errors } = result;
    const name = getOperationAST(document)?.name?.value ?? 'an operation';
    throw new Error(`${name} to ${url} failed (HTTP ${status}): ${JSON.stringify(errors ?? data)}`);
  }
  return result.data;
}

/** The codes of a result's errors, for assertions. */
export function errorCodes(result: GraphQLResult<unknown>): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}

async function post<TData>(
  url: string,
  request: { query?: string; extensions?: object },
  options: RequestOptions<unknown> = {},
): Promise<GraphQLResult<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ ...request, variables: options.variables }),
  });
  const body = (await response.json()) as Pick<GraphQLResult<TData>, 'data' | 'errors'>;
  return { status: response.status, headers: response.headers, ...body };
}
