/**
 * Entry point: `tsx gateway/main.ts`, configured by the environment (see README). Tracing starts first
 * (when `OTEL_*` asks for it), so that everything imported after it is instrumented.
 */
import { startTelemetry } from '../platform/telemetry.ts';

await startTelemetry('gateway');
const { runProcess } = await import('../platform/lifecycle.ts');
const { loadGatewayConfig } = await import('./config.ts');
const { startGateway } = await import('./server.ts');

await runProcess('gateway', async () => startGateway(loadGatewayConfig(process.env)));
