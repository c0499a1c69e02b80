/**
 * Entry point: `tsx subgraphs/reservation/main.ts`, configured by the environment (see README). Tracing starts first
 * (when `OTEL_*` asks for it), so that everything imported after it is instrumented.
 */
import { startTelemetry } from '../../platform/telemetry.ts';

await startTelemetry('reservation');
const { runProcess } = await import('../../platform/lifecycle.ts');
const { loadReservationConfig } = await import('./config.ts');
const { startReservationService } = await import('./service.ts');

await runProcess('reservation', async () => startReservationService(loadReservationConfig(process.env)));
