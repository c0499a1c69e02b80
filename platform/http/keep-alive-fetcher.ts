/**
 * The HTTP client for calls between our processes (the gateway to its subgraphs, reservation's
 * hold to ticket): `node:http` over one keep-alive agent, with the `fetch` shape Apollo's data
 * sources expect.
 *
 * Node's global fetch (undici) keeps connections alive too, but wraps every call in WHATWG
 * streams, request clones and body tees: with it the gateway spent about twice the CPU per
 * federated request (`npm run bench`, entry gateway-optimisations), and reservation's hold call
 * was a tenth of its CPU per reservation (docs/performance.md). Bodies are small JSON documents,
 * read whole.
 */
import http from 'node:http';
import https from 'node:https';
import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';

export interface KeepAliveFetcherOptions {
  /** Sockets per origin; requests beyond wait for one (default: unbounded, as fetch). */
  maxSockets?: number;
  /** Idle sockets kept per origin for the next requests. */
  maxFreeSockets?: number;
}

class ResponseHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string>();

  constructor(raw: http.IncomingHttpHeaders) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.map.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const current = this.map.get(key);
    this.map.set(key, current === undefined ? value : `${current}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), value);
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}

class BufferedResponse implements FetcherResponse {
  readonly redirected = false;
  bodyUsed = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    readonly headers: ResponseHeaders,
    private readonly body: Buffer,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.body.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    return new Uint8Array(this.body).buffer;
  }
  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.status, this.statusText, this.headers, this.body);
  }
}

export function createKeepAliveFetcher(options: KeepAliveFetcherOptions = {}): Fetcher {
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? Infinity,
    maxFreeSockets: options.maxFreeSockets ?? 256,
    // The most recently used socket first: the fewest sockets stay warm, the rest time out.
    scheduling: 'lifo',
  };
  const plain = { module: http, agent: new http.Agent(agentOptions) };
  const tls = { module: https, agent: new https.Agent(agentOptions) };
  return (url: string, init: FetcherRequestInit = {}) =>
    new Promise<FetcherResponse>((resolve, reject) => {
      const { module, agent } = url.startsWith('https:') ? tls : plain;
      const request = module.request(
        url,
        { method: init.method ?? 'GET', headers: init.headers, agent, signal: init.signal as AbortSignal | undefined },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.once('error', reject);
          response.once('end', () =>
            resolve(
              new BufferedResponse(
                url,
                response.statusCode ?? 0,
                response.statusMessage ?? '',
                new ResponseHeaders(response.headers),
                Buffer.concat(chunks),
              ),
            ),
          );
        },
      );
      request.once('error', reject);
      request.end(init.body);
    });
}
