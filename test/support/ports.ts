/** Loopback ports for the processes a test starts. */
import net from 'node:net';

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

/** A port free right now (the system picks it). */
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
