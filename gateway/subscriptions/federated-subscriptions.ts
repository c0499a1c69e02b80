/**
 * A client's subscription, whatever its transport: admitted (token verified again, the document
 * parsed and validated under the same limits as a query, the subscription limits), planned, sent
 * upstream to the subgraph that owns the field with only what that subgraph resolves, and each
 * event completed from the other subgraphs through the gateway's executor before it is handed
 * to the client with its stream position in `extensions.position`.
 */
import {
  type GraphQLError,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type ValidationRule,
} from 'graphql';
import { decodeJwt } from 'jose';
import type { TokenVerifier } from '../../platform/auth/tokens.ts';
import type { Logger } from '../../platform/logging.ts';
import { filterMap } from '../../platform/streams/filter-map.ts';
import { isDomainError } from '../../ticketing/errors.ts';
import type { Caller } from '../../ticketing/caller.ts';
import { documentId, type PersistedQueryManifest, type TrustedDocumentsMode } from '../trusted-documents.ts';
import type { EventExecutor } from './event-executor.ts';
import type { SubscriptionPlanner } from './subscription-planner.ts';
import type { Connection, SubscriptionLimits } from './subscription-limits.ts';
import type { SubscriptionMetrics, Transport } from './subscription-metrics.ts';
import { withEndings, type ResultStream } from './subscription-stream.ts';
import type { Upstreams } from './upstream.ts';

export interface SubscriptionRequest {
  transport: Transport;
  query: string;
  /** The request's extensions: a trusted document's id in `persistedQuery.sha256Hash`. */
  extensions?: Record<string, unknown> | null;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  /** The caller's `Authorization` (the connection's, for a WebSocket). */
  authorization?: string;
  /** Who the caller is when anonymous (their limit is per address). */
  clientAddress: string;
  connection: Connection;
  correlationId: string;
  /** Cuts the connection of a subscriber whose buffer overflowed. */
  onSlowConsumer(): void;
}

export type Subscribed =
  | { ok: true; document: DocumentNode; results: ResultStream }
  | { ok: false; status: number; errors: GraphQLFormattedError[] };

export interface FederatedSubscriptionsOptions {
  planner: SubscriptionPlanner;
  upstreams: Upstreams;
  execute: EventExecutor;
  verifier: TokenVerifier;
  limits: SubscriptionLimits;
  metrics: SubscriptionMetrics;
  logger: Logger;
  /** The URL of a subgraph (with the gateway's overrides). */
  subgraphUrl(name: string): string;
  /** The gateway's document limits (tokens, depth, aliases, cost). */
  parseOptions: { maxTokens?: number };
  validationRules: readonly ValidationRule[];
  /** The gateway's trusted documents: in `require` mode only the manifest's subscriptions are served. */
  trustedDocuments: { mode: TrustedDocumentsMode; manifest?: PersistedQueryManifest };
}

function refusal(status: number, code: string, message: string): Subscribed {
  return { ok: false, status, errors: [{ message, extensions: { code } }] };
}

export function createFederatedSubscriptions(options: FederatedSubscriptionsOptions) {
  const { planner, metrics } = options;
  const rules = [...specifiedRules, ...options.validationRules];
  const completions = createCompletionSharing(options.execute);
  const trusted = new Map((options.trustedDocuments.manifest?.operations ?? []).map((o) => [o.id, o.body]));

  /** The document's text, as trusted documents allow it (the same codes as over HTTP). */
  function textOf(request: SubscriptionRequest): string | Subscribed {
    const { mode } = options.trustedDocuments;
    const persisted = request.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
    const id = typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
    if (mode === 'off' || (!id && mode === 'allow')) return request.query;
    if (id) return trusted.get(id) ?? refusal(404, 'PERSISTED_QUERY_NOT_FOUND', 'no trusted document has this id');
    if (trusted.has(documentId(request.query))) return request.query;
    return refusal(400, 'PERSISTED_QUERY_REQUIRED', 'only trusted documents are served: send its id');
  }

  async function callerOf(authorization: string | undefined): Promise<Caller | GraphQLFormattedError> {
    try {
      return await options.verifier.callerFrom(authorization);
    } catch (error) {
      if (isDomainError(error)) return { message: error.message, extensions: { code: error.code } };
      throw error;
    }
  }

  function documentOf(request: SubscriptionRequest): DocumentNode | Subscribed {
    const text = textOf(request);
    if (typeof text !== 'string') return text;
    let document: DocumentNode;
    try {
      document = parse(text, options.parseOptions);
    } catch (error) {
      return refusal(400, 'GRAPHQL_PARSE_FAILED', (error as Error).message);
    }
    const invalid = validate(planner.apiSchema, document, rules);
    if (invalid.length > 0) {
      return {
        ok: false,
        status: 400,
        errors: invalid.map((e: GraphQLError) => ({
          message: e.message,
          locations: e.locations,
          extensions: { code: typeof e.extensions.code === 'string' ? e.extensions.code : 'GRAPHQL_VALIDATION_FAILED' },
        })),
      };
    }
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) return refusal(400, 'BAD_REQUEST', 'the document must name one operation to run');
    if (operation.operation !== 'subscription') {
      return refusal(400, 'BAD_REQUEST', 'only subscriptions are served here; send queries and mutations over HTTP');
    }
    return document;
  }

  async function subscribe(request: SubscriptionRequest): Promise<Subscribed> {
    const refused = (result: Subscribed) => {
      if (!result.ok) metrics.refused(request.transport, String(result.errors[0]?.extensions?.code ?? 'UNKNOWN'));
      return result;
    };
    const caller = await callerOf(request.authorization);
    if ('message' in caller) return refused({ ok: false, status: 401, errors: [caller] });
    const document = documentOf(request);
    if (!('kind' in document)) return refused(document);
    const callerKey = caller.kind === 'user' ? `user:${caller.userId}` : `address:${request.clientAddress}`;
    const admission = options.limits.admit(callerKey, request.connection);
    if (!admission.admitted) return refused(refusal(429, 'TOO_MANY_SUBSCRIPTIONS', admission.reason));

    const operationName = request.operationName ?? undefined;
    const variables = request.variables ?? {};
    const plan = planner.plan(document, operationName);
    const context = { caller, authorization: request.authorization, correlationId: request.correlationId };
    const upstreamVariables = Object.fromEntries(
      (plan.primary.variableUsages ?? []).map((name) => [name, variables[name]]),
    );
    const events = options.upstreams.subscribe(options.subgraphUrl(plan.primary.serviceName), {
      query: plan.primary.operation,
      operationName: plan.primary.operationName,
      variables: upstreamVariables,
      authorization: request.authorization,
      correlationId: request.correlationId,
    });
    const delivered = filterMap(events, async (event): Promise<FormattedExecutionResult> => {
      const result = await completions.complete(plan, event, { variables, context });
      metrics.delivered(plan.field, event.occurredAt);
      return event.position === undefined
        ? result
        : { ...result, extensions: { ...result.extensions, position: String(event.position) } };
    });
    metrics.started(request.transport, plan.field);
    return {
      ok: true,
      document,
      results: withEndings(delivered, {
        expiresAt: expiryOf(request.authorization),
        onSlowConsumer: () => {
          metrics.slowConsumer(request.transport);
          request.onSlowConsumer();
        },
        onEnd: () => {
          admission.release();
          metrics.ended(request.transport, plan.field);
        },
      }),
    };
  }

  return { subscribe };
}

export type FederatedSubscriptions = ReturnType<typeof createFederatedSubscriptions>;

/**
 * Subscribers of one operation with the same variables and token see the same event the same
 * way: the first one to complete it does it for all (one `_entities` fetch per subgraph, not one
 * per subscriber), while the result is fresh. A thousand anonymous watchers of a hot ticket cost
 * one completion per event.
 */
const SHARED_FOR_MS = 2000;

function createCompletionSharing(execute: EventExecutor) {
  const inFlight = new Map<string, Promise<FormattedExecutionResult>>();
  const keys = new WeakMap<object, string>();
  let plans = 0;
  return {
    complete(
      plan: Parameters<EventExecutor>[0],
      event: { result: FormattedExecutionResult; position?: number },
      request: Parameters<EventExecutor>[2],
    ): Promise<FormattedExecutionResult> {
      if (event.position === undefined) return execute(plan, event.result, request);
      let planKey = keys.get(plan);
      if (!planKey) keys.set(plan, (planKey = String(++plans)));
      const key = `${planKey}|${event.position}|${request.context.authorization ?? ''}|${JSON.stringify(request.variables)}`;
      let completion = inFlight.get(key);
      if (!completion) {
        completion = execute(plan, event.result, request);
        inFlight.set(key, completion);
        setTimeout(() => inFlight.delete(key), SHARED_FOR_MS).unref();
      }
      return completion;
    },
  };
}

/** When a verified token expires, in epoch ms. */
function expiryOf(authorization: string | undefined): number | undefined {
  const token = authorization?.replace(/^Bearer\s+/i, '').trim();
  if (!token) return undefined;
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
