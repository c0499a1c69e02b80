/** Entry point: `tsx gateway/main.ts`, configured by the environment (see README). */
import { runProcess } from '../platform/lifecycle.ts';
import { loadGatewayConfig } from './config.ts';
import { startGateway } from './server.ts';

await runProcess('gateway', async () => startGateway(loadGatewayConfig(process.env)));
