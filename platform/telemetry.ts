/**
 * OpenTelemetry tracing for one process, configured only through the standard `OTEL_*` variables
 * and off unless asked for: with no trace exporter named (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_TRACES_EXPORTER`), or with `OTEL_SDK_DISABLED=true`,
 * no SDK is loaded and every span the code asks for is the API's no-op.
 *
 * When on, the Node SDK exports traces over OTLP (`OTEL_EXPORTER_OTLP_PROTOCOL`, http/protobuf by
 * default), samples as `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` say, names the process
 * `OTEL_SERVICE_NAME` (`ticketing-<process>` unless set), and instruments HTTP (server and
 * client: the gateway's fetches and reservation's hold call go through `node:http`) and `pg`, the
 * driver under Prisma's adapter. Metrics stay Prometheus and logs
 * stay pino: the SDK exports traces only.
 *
 * `startTelemetry` must run before the process imports anything it instruments: each entry point
 * calls it first and imports the rest dynamically, so the ESM loader hook sees `pg` and `node:http`.
 */
import type { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/** Paths no one wants a trace of: probes and scrapes. */
const UNTRACED_PATHS = ['/health/', '/metrics'];

export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (/^true$/i.test(env.OTEL_SDK_DISABLED?.trim() ?? '')) return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporters) return exporters !== 'none';
  return !!(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** Whether this process exports traces (for work worth doing only then, such as log fields). */
export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/** Starts tracing for process `name` when the environment asks for it; otherwise does nothing. */
export async function startTelemetry(name: string): Promise<void> {
  if (sdk || !tracingRequested()) return;
  process.env.OTEL_SERVICE_NAME ||= `ticketing-${name}`;

  // Only the modules an instrumentation names are wrapped by the loader hook, not every module.
  const { register } = await import('node:module');
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const [{ NodeSDK }, { HttpInstrumentation }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  sdk = new NodeSDK({
    // Traces only: metrics are Prometheus (platform/metrics.ts), logs are pino lines.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.some((path) => request.url?.startsWith(path)),
        // An outgoing call outside any trace (a poll, a probe) is not worth a trace of its own.
        requireParentforOutgoingSpans: true,
      }),
      // The relay's polls, the consumers' bookkeeping and the gauges' queries stay out of traces.
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
}

/** Exports the spans still buffered and stops the SDK (when started). */
export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
