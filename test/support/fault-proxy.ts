/**
 * A TCP proxy between reservation and ticket that the test steers, to make ticket slow, silent,
 * unreachable, or deaf to its own answers — real network behaviour, not a mock of the call.
 * Changing the mode cuts open connections so that every new request meets the new mode.
 */
import net from 'node:net';

export type ProxyMode =
  | { kind: 'pass' }
  /** Forwards each request after a delay. */
  | { kind: 'delay'; ms: number }
  /** Accepts requests and never answers (nor forwards them). */
  | { kind: 'blackhole' }
  /** Resets every connection at once. */
  | { kind: 'refuse' }
  /** Forwards requests, so ticket acts on them, but drops ticket's answers. */
  | { kind: 'drop-responses' };

export interface FaultProxy {
  url: string;
  setTarget(port: number): void;
  set(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function startFaultProxy(): Promise<FaultProxy> {
  let targetPort: number | undefined;
  let mode: ProxyMode = { kind: 'pass' };
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const server = net.createServer((client) => {
    track(client);
    const current = mode;
    if (current.kind === 'refuse' || targetPort === undefined) return void client.resetAndDestroy();
    if (current.kind === 'blackhole') return void client.resume();
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    track(upstream);
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    client.on('data', (chunk) => {
      if (current.kind === 'delay') setTimeout(() => upstream.write(chunk), current.ms);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (current.kind !== 'drop-responses') client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    setTarget(port) {
      targetPort = port;
    },
    set(next) {
      mode = next;
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
