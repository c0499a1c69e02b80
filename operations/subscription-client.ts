/**
 * Subscriptions as clients of this API take them: over GraphQL over WebSocket with graphql-ws's
 * own client (as Apollo Client does), or over Server-Sent Events with a plain `fetch` reading
 * the stream (as `curl -N` would). Each result is kept in arrival order; `next` waits for the
 * next one. For the tests and the benchmark.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { operationText, type GraphQLResultError } from './client.ts';

export interface SubscriptionResult<TData> {
  data?: TData | null;
  errors?: GraphQLResultError[];
  extensions?: { position?: string } & Record<string, unknown>;
}

export interface LiveSubscription<TData> {
  /** Every result so far, in order. */
  readonly results: SubscriptionResult<TData>[];
  /** Waits for the result after the ones already taken with `next` (fails after `timeoutMs`). */
  next(timeoutMs?: number): Promise<SubscriptionResult<TData>>;
  /** Resolves when the subscription ended: completed by the server, or failed (the error, if any). */
  readonly ended: Promise<unknown>;
  close(): Promise<void>;
}

export interface SubscribeOptions<TVariables> {
  variables?: TVariables;
  token?: string;
}

function collector<TData>() {
  const results: SubscriptionResult<TData>[] = [];
  const waiters: (() => void)[] = [];
  let taken = 0;
  let endWith: (reason?: unknown) => void = () => {};
  const ended = new Promise<unknown>((resolve) => (endWith = resolve));
  return {
    results,
    ended,
    push(result: SubscriptionResult<TData>) {
      results.push(result);
      waiters.splice(0).forEach((wake) => wake());
    },
    end(reason?: unknown) {
      endWith(reason);
      waiters.splice(0).forEach((wake) => wake());
    },
    async next(timeoutMs = 15_000): Promise<SubscriptionResult<TData>> {
      const deadline = Date.now() + timeoutMs;
      while (results.length <= taken) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no subscription result within ${timeoutMs} ms (${results.length} so far)`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return results[taken++]!;
    },
  };
}

/** A graphql-ws client of the gateway's `/graphql` (the token goes in `connection_init`). */
export function webSocketClient(httpUrl: string, token?: string, options: { retryAttempts?: number } = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
  });
}

/** Subscribes on a graphql-ws client (one client may carry many subscriptions). */
export function subscribeOverWebSocket<TData, TVariables>(
  client: Client,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
): LiveSubscription<TData> {
  const collected = collector<TData>();
  const unsubscribe = client.subscribe<TData>(
    { query: operationText(document), variables: (variables ?? {}) as Record<string, unknown> },
    {
      next: (result) => collected.push(result as SubscriptionResult<TData>),
      error: (error) => collected.end(error),
      complete: () => collected.end(),
    },
  );
  return {
    results: collected.results,
    ended: collected.ended,
    next: collected.next,
    async close() {
      unsubscribe();
    },
  };
}

/** One subscription over Server-Sent Events: a POST accepting `text/event-stream`, read as it streams. */
export async function subscribeOverSse<TData, TVariables>(
  httpUrl: string,
  document: TypedDocumentNode<TData, TVariables>,
  options: SubscribeOptions<TVariables> = {},
): Promise<LiveSubscription<TData> & { status: number; refusal?: { errors?: GraphQLResultError[] } }> {
  const collected = collector<TData>();
  const abort = new AbortController();
  const response = await fetch(httpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: JSON.stringify({ query: operationText(document), variables: options.variables ?? {} }),
    signal: abort.signal,
  });
  if (!response.headers.get('content-type')?.includes('text/event-stream')) {
    const refusal = (await response.json()) as { errors?: GraphQLResultError[] };
    collected.end(refusal);
    return { ...collected, status: response.status, refusal, close: async () => {} };
  }
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const event = /^event: (.*)$/m.exec(message)?.[1];
          const data = message
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (event === 'next' && data) collected.push(JSON.parse(data) as SubscriptionResult<TData>);
          if (event === 'complete') collected.end();
        }
      }
      collected.end();
    } catch (error) {
      collected.end(error);
    }
  })();
  return {
    results: collected.results,
    ended: collected.ended,
    next: collected.next,
    status: response.status,
    async close() {
      abort.abort();
    },
  };
}
