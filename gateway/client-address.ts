/**
 * The network address of a request's client, for limiting anonymous callers.
 *
 * The shared HTTP edge hands the GraphQL context a request's headers but not its socket. Node
 * announces every incoming request on the `http.server.request.start` diagnostics channel, with
 * its socket, before any handler runs; the address is remembered against the request's headers
 * object (the one the edge passes on) and forgotten with it.
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

const addresses = new WeakMap<IncomingHttpHeaders, string>();

diagnostics.subscribe('http.server.request.start', (message) => {
  const { request, socket } = message as { request: IncomingMessage; socket: Socket };
  if (socket.remoteAddress) addresses.set(request.headers, socket.remoteAddress);
});

/**
 * The socket's address; with `trustForwardedFor` (the gateway sits behind exactly one proxy that
 * appends the client it saw), the last `X-Forwarded-For` entry instead.
 */
export function clientAddressOf(headers: IncomingHttpHeaders, options: { trustForwardedFor: boolean }): string {
  if (options.trustForwardedFor) {
    const forwarded = headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').pop()?.trim();
    if (last) return last;
  }
  return addresses.get(headers) ?? 'unknown';
}
