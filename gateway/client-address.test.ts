import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { clientAddressOf } from './client-address.ts';

/** The address a server sees for one request from this process, with the given headers. */
async function addressSeen(trustForwardedFor: boolean, headers: Record<string, string> = {}): Promise<string> {
  const server = http.createServer((req, res) => res.end(clientAddressOf(req.headers, { trustForwardedFor })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    // No keep-alive: a pooled connection would keep this test's worker alive after the suite.
    return await (await fetch(`http://127.0.0.1:${port}/`, { headers: { ...headers, connection: 'close' } })).text();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('client address', () => {
  it('is the address of the socket the request came on', async () => {
    expect(await addressSeen(false)).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('ignores X-Forwarded-For unless the gateway is told to trust it', async () => {
    expect(await addressSeen(false, { 'x-forwarded-for': '203.0.113.9' })).toMatch(/127\.0\.0\.1$/);
  });

  it('behind a trusted proxy, is the last X-Forwarded-For entry (the one the proxy added)', async () => {
    expect(await addressSeen(true, { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' })).toBe('203.0.113.9');
  });
});
