/**
 * The HTTP edge every process shares: GraphQL through Apollo Server, `/health/live`,
 * `/health/ready` and Prometheus `/metrics`, on one port, with a graceful stop.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { Registry } from 'prom-client';
import type { Logger } from '../logging.ts';

export interface RequestInfo {
  headers: IncomingMessage['headers'];
  /** From `x-correlation-id` (or `x-request-id`) when the caller sent one, otherwise new. */
  correlationId: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, unknown>;
}

export interface HttpServerOptions<TContext extends BaseContext> {
  port: number;
  host?: string;
  apollo: ApolloServer<TContext>;
  context: (request: RequestInfo) => Promise<TContext>;
  /** Dependencies that must answer before the process takes traffic. */
  readiness: () => Promise<ReadinessReport>;
  metrics: Registry;
  logger: Logger;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Browser origins allowed to call (for Apollo Sandbox); none by default. `*` allows any. */
  corsOrigins?: readonly string[];
}

export interface RunningHttpServer {
  url: string;
  port: number;
  /** Readiness false, stop accepting, let in-flight requests finish, close. */
  stop(): Promise<void>;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function correlationIdFrom(headers: IncomingMessage['headers']): string {
  const candidate = headers['x-correlation-id'] ?? headers['x-request-id'];
  const value = Array.isArray(candidate) ? candidate[0] : candidate;
  return value && CORRELATION_ID.test(value) ? value : randomUUID();
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function requestErrorBody(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

export async function startHttpServer<TContext extends BaseContext>(
  options: HttpServerOptions<TContext>,
): Promise<RunningHttpServer> {
  const { apollo, logger, metrics } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  let accepting = true;
  await apollo.start();

  function allowCors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const allowed = options.corsOrigins ?? [];
    if (!origin || !(allowed.includes('*') || allowed.includes(origin))) return false;
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
    res.setHeader(
      'access-control-allow-headers',
      'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-correlation-id, apollographql-client-name, apollographql-client-version',
    );
    res.setHeader('access-control-expose-headers', 'x-correlation-id');
    res.setHeader('access-control-max-age', '600');
    return true;
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, correlationId: string) {
    let body: unknown;
    if (req.method === 'POST') {
      const text = await readBody(req, maxBodyBytes);
      const contentType = req.headers['content-type'] ?? '';
      if (contentType.includes('application/json')) {
        try {
          body = text.length > 0 ? JSON.parse(text) : undefined;
        } catch {
          return sendJson(res, 400, requestErrorBody('BAD_REQUEST', 'request body is not valid JSON'));
        }
      } else {
        body = text;
      }
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () => options.context({ headers: req.headers, correlationId }),
    });
    res.statusCode = result.status ?? 200;
    for (const [name, value] of result.headers) res.setHeader(name, value);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const correlationId = correlationIdFrom(req.headers);
    res.setHeader('x-correlation-id', correlationId);
    if (allowCors(req, res) && req.method === 'OPTIONS') {
      res.writeHead(204);
      return res.end();
    }
    try {
      switch (url.pathname) {
        case '/health/live':
          return sendJson(res, 200, { status: 'live' });
        case '/health/ready': {
          const report = accepting ? await options.readiness() : { ready: false, checks: { shuttingDown: true } };
          return sendJson(res, report.ready ? 200 : 503, {
            status: report.ready ? 'ready' : 'not ready',
            ...report.checks,
          });
        }
        case '/metrics':
          res.writeHead(200, { 'content-type': metrics.contentType });
          return res.end(await metrics.metrics());
        case '/':
        case '/graphql':
          return await handleGraphQL(req, res, url, correlationId);
        default:
          return sendJson(res, 404, requestErrorBody('NOT_FOUND', `no route for ${url.pathname}`));
      }
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        return sendJson(res, 413, requestErrorBody('REQUEST_TOO_LARGE', `request body exceeds ${maxBodyBytes} bytes`));
      }
      logger.error({ err: error, correlationId }, 'request failed outside GraphQL execution');
      if (!res.headersSent) sendJson(res, 500, requestErrorBody('INTERNAL_SERVER_ERROR', 'Internal server error'));
      else res.end();
    }
  });
  // Longer than typical client and load-balancer idle timeouts, so keep-alive sockets are not cut mid-request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    async stop() {
      accepting = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forced = setTimeout(() => server.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(forced);
      await apollo.stop();
    },
  };
}
