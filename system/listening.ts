/** Loopback ports: whether something answers at an address, and ports free for a process to bind. */
import net from 'node:net';

/** Whether something accepts TCP connections at an address: how the launcher and the tests probe for services. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** A free loopback port: bound, read and released (the process binds it a moment later). */
export async function freePort(): Promise<number> {
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free loopback port');
  return port;
}

/** The first of `length` consecutive free ports (for processes that take a base port). */
export async function freePortRun(length: number): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const bound = await Promise.all(Array.from({ length }, (_, i) => tryListen(base + i)));
    if (!bound.includes(undefined)) return base;
  }
}
