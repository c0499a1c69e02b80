/**
 * A round-robin HTTP load balancer for tests, behaving like a Kubernetes Service with its
 * endpoints controller: it polls each backend's `/health/ready` and routes only to backends that
 * answered ready. It never retries a request: a backend that drops a request fails it, as a
 * client would see.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadBalancer {
  url: string;
  /** Requests routed to each backend (its base URL), for showing that all took traffic. */
  routed: Map<string, number>;
  /** Whether the balancer currently routes to the backend. */
  isRouting(backend: string): boolean;
  stop(): Promise<void>;
}

export async function startLoadBalancer(options: {
  /** Base URLs (`http://127.0.0.1:1234`) of the backends. */
  backends: string[];
  /** How often readiness is polled, in ms (default 100). */
  pollMs?: number;
}): Promise<LoadBalancer> {
  const agent = new http.Agent({ keepAlive: true });
  const ready = new Set<string>();
  const routed = new Map(options.backends.map((backend) => [backend, 0]));
  let next = 0;
  let polling = true;

  async function poll(backend: string): Promise<void> {
    try {
      const response = await fetch(`${backend}/health/ready`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) ready.add(backend);
      else ready.delete(backend);
      await response.body?.cancel();
    } catch {
      ready.delete(backend);
    }
  }

  const pollers = options.backends.map(async (backend) => {
    while (polling) {
      await poll(backend);
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
    }
  });
  await Promise.all(options.backends.map(poll));

  function pick(): string | undefined {
    const candidates = options.backends.filter((backend) => ready.has(backend));
    if (candidates.length === 0) return undefined;
    next = (next + 1) % candidates.length;
    return candidates[next];
  }

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const backend = pick();
    if (!backend) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('no ready backend');
      return;
    }
    routed.set(backend, (routed.get(backend) ?? 0) + 1);
    const target = new URL(req.url ?? '/', backend);
    const upstream = http.request(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`backend ${backend} failed: ${error.message}`);
    });
    req.pipe(upstream);
  }

  const server = http.createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    isRouting: (backend) => ready.has(backend),
    async stop() {
      polling = false;
      await Promise.all(pollers);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}
