/**
 * Our gateway calling its subgraphs with Node's global fetch (undici) instead of its keep-alive
 * `node:http` client: the "before" of that optimisation, for entry gateway-optimisations.
 */
import type { Fetcher } from '@apollo/utils.fetcher';
import { loadGatewayConfig } from '../gateway/config.ts';
import { startGateway } from '../gateway/server.ts';
import { runProcess } from '../platform/lifecycle.ts';

await runProcess('gateway', async () =>
  startGateway(loadGatewayConfig(process.env), { fetcher: fetch as unknown as Fetcher }),
);
