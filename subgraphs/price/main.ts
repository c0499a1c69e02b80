/**
 * Entry point: `tsx subgraphs/price/main.ts`, configured by the environment (see README). Tracing starts first
 * (when `OTEL_*` asks for it), so that everything imported after it is instrumented.
 */
import { startTelemetry } from '../../platform/telemetry.ts';

await startTelemetry('price');
const { runProcess } = await import('../../platform/lifecycle.ts');
const { loadPriceConfig } = await import('./config.ts');
const { startPriceService } = await import('./service.ts');

await runProcess('price', async () => startPriceService(loadPriceConfig(process.env)));
