/**
 * Subscriptions on the gateway's public endpoint (`/graphql`, and `/`), in the two transports
 * clients expect:
 *
 * - GraphQL over WebSocket (the `graphql-ws` protocol: Apollo Sandbox, Apollo Client). The token
 *   comes in `connection_init`'s payload (`authorization` or `Authorization`) or the upgrade
 *   request's `Authorization` header, and is verified at connection (a bad one: close 4403) and
 *   again at each subscribe. A connection that sends no `connection_init` in time is closed
 *   (4408); connections are pinged every `keepAliveMs`.
 * - GraphQL over Server-Sent Events (`graphql-sse`, distinct connections mode: one request, one
 *   subscription, so `curl -N -H 'Accept: text/event-stream'` works). The token is the request's
 *   `Authorization` header; a bad one is answered 401 before the stream opens.
 *
 * A subscriber whose undelivered events overflow its buffer is cut off: its WebSocket is closed
 * with 4413 (SLOW_CONSUMER_CLOSE_CODE), its event stream ends after a SLOW_CONSUMER error. On
 * shutdown, once readiness has been false for the shutdown delay, WebSockets are closed with 1012
 * (Service Restart: reconnect) and event streams are ended; clients reconnect to another replica.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { createHandler, type OperationArgs } from 'graphql-sse';
import { createGraphqlWsEndpoint, type WsExtra } from '../../platform/graphql/graphql-ws-endpoint.ts';
import { correlationIdFrom, readBody, type StreamEndpoint } from '../../platform/http/server.ts';
import type { TokenVerifier } from '../../platform/auth/tokens.ts';
import { clientAddressOf } from '../client-address.ts';
import type { FederatedSubscriptions, SubscriptionRequest } from './federated-subscriptions.ts';
import type { Connection } from './subscription-limits.ts';
import type { SubscriptionMetrics } from './subscription-metrics.ts';
import type { ResultStream } from './subscription-stream.ts';
import type { GraphQLSchema } from 'graphql';

/** The WebSocket close code of a subscriber cut off for reading too slowly. */
export const SLOW_CONSUMER_CLOSE_CODE = 4413;
/** How long an event stream cut off for reading too slowly may take to take its last event. */
const SLOW_STREAM_GRACE_MS = 5000;

export interface SubscriptionEdgeConfig {
  connectionInitTimeoutMs: number;
  keepAliveMs: number;
  maxBodyBytes: number;
  trustForwardedFor: boolean;
}

export interface SubscriptionEdgeOptions {
  config: SubscriptionEdgeConfig;
  schema: GraphQLSchema;
  subscriptions: FederatedSubscriptions;
  verifier: TokenVerifier;
  metrics: SubscriptionMetrics;
}

/** What both servers carry from admission to execution: the subscription's results, already running. */
interface SubscriptionContext extends Record<PropertyKey, unknown> {
  results: ResultStream;
}

/**
 * The servers expect graphql-js results (errors as GraphQLError); these are formatted already,
 * and `onNext` hands them on as they are.
 */
function resultsOf(context: unknown): AsyncGenerator<ExecutionResult> {
  return (context as SubscriptionContext).results as unknown as AsyncGenerator<ExecutionResult>;
}

interface WsConnection {
  authorization?: string;
  connection: Connection;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function createSubscriptionEdge(options: SubscriptionEdgeOptions): StreamEndpoint {
  const { config, subscriptions, metrics, schema } = options;
  const wsConnections = new WeakMap<object, WsConnection>();
  const streams = new Set<ServerResponse>();
  const pacers = new WeakMap<ServerResponse, Pacer>();

  function addressOf(req: IncomingMessage): string {
    const known = clientAddressOf(req.headers, { trustForwardedFor: config.trustForwardedFor });
    return known !== 'unknown' ? known : (req.socket.remoteAddress ?? 'unknown');
  }

  function requestOf(
    req: IncomingMessage,
    transport: SubscriptionRequest['transport'],
    fields: Pick<
      SubscriptionRequest,
      'query' | 'extensions' | 'operationName' | 'variables' | 'authorization' | 'connection'
    >,
    onSlowConsumer: () => void,
  ): SubscriptionRequest {
    return {
      transport,
      ...fields,
      clientAddress: addressOf(req),
      correlationId: headerValue(req.headers['x-correlation-id']) ? correlationIdFrom(req.headers) : randomUUID(),
      onSlowConsumer,
    };
  }

  const ws = createGraphqlWsEndpoint<Record<string, unknown>>(
    {
      schema,
      connectionInitWaitTimeout: config.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const fromParams = params.authorization ?? params.Authorization;
        const authorization =
          typeof fromParams === 'string' ? fromParams : headerValue(ctx.extra.request.headers.authorization);
        try {
          await options.verifier.callerFrom(authorization);
        } catch {
          metrics.refused('websocket', 'UNAUTHENTICATED');
          return false;
        }
        wsConnections.set(ctx.extra.socket, { authorization, connection: { active: 0 } });
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const state = wsConnections.get(ctx.extra.socket)!;
        const { socket, request } = ctx.extra as WsExtra;
        const subscribed = await subscriptions.subscribe(
          requestOf(
            request,
            'websocket',
            {
              query: payload.query,
              extensions: payload.extensions,
              operationName: payload.operationName,
              variables: payload.variables,
              authorization: state.authorization,
              connection: state.connection,
            },
            () => socket.close(SLOW_CONSUMER_CLOSE_CODE, 'slow consumer: events were not read fast enough'),
          ),
        );
        if (!subscribed.ok) {
          return subscribed.errors.map((e) => new GraphQLError(e.message, { extensions: e.extensions }));
        }
        return {
          schema,
          document: subscribed.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: { results: subscribed.results },
        };
      },
      subscribe: ({ contextValue }) => resultsOf(contextValue),
      // Results are formatted already (the gateway's error formatter ran on them).
      onNext: (_ctx, _id, _payload, _args, result) => result,
    },
    {
      keepAliveMs: config.keepAliveMs,
      onConnectionsChanged: (() => {
        let open = 0;
        return (now: number) => {
          for (; open < now; open++) metrics.connectionOpened('websocket');
          for (; open > now; open--) metrics.connectionClosed('websocket');
        };
      })(),
    },
  );

  const sse = createHandler<IncomingMessage, { res: ServerResponse }, SubscriptionContext>({
    schema,
    onSubscribe: async (req, params) => {
      const res = req.context.res;
      const subscribed = await subscriptions.subscribe(
        requestOf(
          req.raw,
          'sse',
          {
            query: params.query ?? '',
            extensions: params.extensions,
            operationName: params.operationName,
            variables: params.variables,
            authorization: headerValue(req.raw.headers.authorization),
            connection: { active: 0 },
          },
          () => setTimeout(() => res.destroy(), SLOW_STREAM_GRACE_MS).unref(),
        ),
      );
      if (!subscribed.ok) {
        return [
          JSON.stringify({ errors: subscribed.errors }),
          { status: subscribed.status, statusText: 'Refused', headers: { 'content-type': 'application/json' } },
        ];
      }
      const pacer = createPacer();
      pacers.set(res, pacer);
      const args: OperationArgs<SubscriptionContext> = {
        schema,
        document: subscribed.document,
        operationName: params.operationName,
        variableValues: params.variables,
        contextValue: { results: pacer.pace(subscribed.results) },
      };
      return args;
    },
    subscribe: ({ contextValue }) => resultsOf(contextValue),
    onNext: (_ctx, _req, result) => result,
  });

  async function eventStream(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [body, init] = await sse({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: { get: (key: string) => headerValue(req.headers[key]) ?? null },
      body: () => (req.method === 'POST' ? readBody(req, config.maxBodyBytes) : null),
      raw: req,
      context: { res },
    });
    res.writeHead(init.status, init.statusText, init.headers);
    if (!body || typeof body === 'string') {
      res.end(body ?? undefined);
      return;
    }
    streams.add(res);
    metrics.connectionOpened('sse');
    const stop = () => void body.return(undefined);
    res.once('close', stop);
    const pacer = pacers.get(res);
    try {
      for await (const chunk of body) {
        if (!res.writable) break;
        await new Promise<void>((resolve, reject) => res.write(chunk, (error) => (error ? reject(error) : resolve())));
        if (chunk.startsWith('event: next')) pacer?.written();
      }
    } catch {
      // The client went away mid-write: nothing to answer.
    } finally {
      res.off('close', stop);
      streams.delete(res);
      metrics.connectionClosed('sse');
      res.end();
    }
  }

  return {
    upgrade: (req, socket, head) => ws.upgrade(req, socket, head),
    eventStream,
    async close() {
      for (const res of streams) res.end();
      await ws.close();
    },
  };
}

/**
 * graphql-sse queues every result it takes in a list of its own until the response is written,
 * however slowly: paced, it takes the next result only once the previous ones are written, so
 * the subscription's own bounded buffer is the one that fills (and cuts off a slow reader).
 */
interface Pacer {
  pace(results: ResultStream): ResultStream;
  written(): void;
}

const UNWRITTEN_AHEAD = 1;

function createPacer(): Pacer {
  let taken = 0;
  let written = 0;
  let wake: (() => void) | undefined;
  let ended = false;
  return {
    written() {
      written++;
      wake?.();
    },
    pace(results) {
      const paced: ResultStream = {
        async next() {
          while (!ended && taken - written > UNWRITTEN_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
          if (ended) return { done: true, value: undefined };
          taken++;
          return results.next();
        },
        return: () => {
          ended = true;
          wake?.();
          return results.return();
        },
        throw: (error) => results.throw(error),
        [Symbol.asyncIterator]: () => paced,
      };
      return paced;
    },
  };
}
