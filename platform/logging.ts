/** Structured JSON logs (pino). Tokens never reach a log line: headers are not logged. */
import { context, trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import { tracingEnabled } from './telemetry.ts';

export type { Logger };

/** The trace and span a line was written in, so a log line leads to its trace (and back). */
function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: ['authorization', '*.authorization', 'headers.authorization'], remove: true },
    // Only while tracing: otherwise there is no span to name, and nothing is spent looking.
    ...(tracingEnabled() ? { mixin: traceFields } : {}),
  });
}
