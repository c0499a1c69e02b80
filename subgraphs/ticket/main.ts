/**
 * Entry point: `tsx subgraphs/ticket/main.ts`, configured by the environment (see README). Tracing starts first
 * (when `OTEL_*` asks for it), so that everything imported after it is instrumented.
 */
import { startTelemetry } from '../../platform/telemetry.ts';

await startTelemetry('ticket');
const { runProcess } = await import('../../platform/lifecycle.ts');
const { loadTicketConfig } = await import('./config.ts');
const { startTicketService } = await import('./service.ts');

await runProcess('ticket', async () => startTicketService(loadTicketConfig(process.env)));
