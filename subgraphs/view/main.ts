/**
 * Entry point: `tsx subgraphs/view/main.ts`, configured by the environment (see README). Tracing starts first
 * (when `OTEL_*` asks for it), so that everything imported after it is instrumented.
 */
import { startTelemetry } from '../../platform/telemetry.ts';

await startTelemetry('view');
const { runProcess } = await import('../../platform/lifecycle.ts');
const { loadViewConfig } = await import('./config.ts');
const { startViewService } = await import('./service.ts');

await runProcess('view', async () => startViewService(loadViewConfig(process.env)));
