/**
 * GraphQL over WebSocket (the `graphql-ws` protocol) on a process's HTTP edge: upgrades on the
 * GraphQL routes become graphql-ws connections, pinged every `keepAliveMs`; on shutdown every
 * connection is closed with 1012 (Service Restart), which graphql-ws clients take as a hint to
 * reconnect (to another replica, behind a load balancer).
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StreamEndpoint } from '../http/server.ts';

/** The close code a restarting server sends: reconnect, the service is coming back (RFC 6455). */
export const SERVICE_RESTART = 1012;

export interface GraphqlWsEndpoint extends StreamEndpoint {
  /** Open WebSocket connections. */
  connections(): number;
}

export interface GraphqlWsEndpointOptions {
  /** How often each connection is pinged; one that does not answer within as long is dropped (0: never). */
  keepAliveMs: number;
  /** Largest message a client may send, in bytes. */
  maxPayloadBytes?: number;
  /** How long connections may take to close after 1012 before they are cut, in ms (default 2000). */
  closeTimeoutMs?: number;
  onConnectionsChanged?: (open: number) => void;
}

// The protocol's own `Extra` for ws: the socket and its upgrade request.
export interface WsExtra {
  socket: WebSocket;
  request: IncomingMessage;
}

export function createGraphqlWsEndpoint<P extends Record<string, unknown> = Record<string, unknown>>(
  server: ServerOptions<P, WsExtra>,
  options: GraphqlWsEndpointOptions,
): GraphqlWsEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 100 * 1024 });
  useServer(server, wss, options.keepAliveMs);
  const changed = () => options.onConnectionsChanged?.(wss.clients.size);
  wss.on('connection', (socket) => {
    changed();
    socket.once('close', changed);
  });

  return {
    upgrade(req, socket: Socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    connections: () => wss.clients.size,
    async close() {
      const open = [...wss.clients];
      const closed = Promise.all(open.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve()))));
      for (const ws of open) ws.close(SERVICE_RESTART, 'service restart: reconnect');
      const timeout = setTimeout(() => open.forEach((ws) => ws.terminate()), options.closeTimeoutMs ?? 2000);
      await closed;
      clearTimeout(timeout);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
