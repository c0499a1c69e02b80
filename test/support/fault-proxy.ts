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
  /**
   * Forwards requests, so ticket acts on them, but drops ticket's answers; `onDropped` runs as
   * each answer arrives (for example to kill the caller just before it would have read it).
   */
  | { kind: 'drop-responses'; onDropped?: () => void }
  /**
   * Ticket as a stopped process (SIGSTOP): requests are accepted and kept, unanswered; when the
   * mode changes they are delivered, as a resumed process reads what queued in its sockets, and
   * their answers go nowhere (the callers have given up).
   */
  | { kind: 'freeze' };

export interface FaultProxy {
  url: string;
  setTarget(port: number): void;
  set(mode: ProxyMode): void;
  /** Chunks of request data received from callers so far: a call that never left its caller adds none. */
  received(): number;
  close(): Promise<void>;
}

export async function startFaultProxy(): Promise<FaultProxy> {
  let targetPort: number | undefined;
  let mode: ProxyMode = { kind: 'pass' };
  let received = 0;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  let frozen: Buffer[][] = [];

  const deliverFrozen = () => {
    for (const chunks of frozen) {
      const upstream = net.connect({ host: '127.0.0.1', port: targetPort! });
      upstream.on('error', () => upstream.destroy());
      upstream.on('data', () => {});
      upstream.write(Buffer.concat(chunks));
      // Closed once ticket has had time to answer into the void; the answer itself is not needed.
      upstream.setTimeout(5000, () => upstream.destroy());
    }
    frozen = [];
  };

  const server = net.createServer((client) => {
    track(client);
    const current = mode;
    if (current.kind === 'refuse' || targetPort === undefined) return void client.resetAndDestroy();
    client.on('data', () => (received += 1));
    if (current.kind === 'blackhole') return void client.resume();
    if (current.kind === 'freeze') {
      const chunks: Buffer[] = [];
      frozen.push(chunks);
      client.on('data', (chunk: Buffer) => chunks.push(chunk));
      return;
    }
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
      else current.onDropped?.();
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
      const wasFrozen = mode.kind === 'freeze';
      mode = next;
      for (const socket of sockets) socket.destroy();
      if (wasFrozen) deliverFrozen();
    },
    received: () => received,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
