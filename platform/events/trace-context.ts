/**
 * One trace per saga across the event backbone. The work that writes an event leaves its W3C
 * trace context in the envelope (so the outbox row keeps it, with no column of its own); the
 * relay publishes each event in a `send` span that continues that context and puts its own on the
 * NATS message's headers; whoever handles the event continues the trace from the headers (or, for
 * a message published without them, from the envelope).
 *
 * A handler of one message runs in a `process` span, child of the `send` span. Messages handled
 * together (a batch in one transaction) get one batch span linked to each message's `send` span,
 * and per message a `process` span, child of its `send` span and linked to the batch.
 *
 * With tracing off every call here meets the API's no-op: no context is found, nothing is added
 * to an envelope or a message, and the spans are non-recording.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';
import type { EventEnvelope, TraceContext } from '../../ticketing/events/contracts.ts';

const tracer = trace.getTracer('ticketing-events');

/** The active trace context in W3C form, or none outside a trace. */
export function activeTraceContext(active: Context = context.active()): TraceContext | undefined {
  if (!trace.getSpan(active)) return undefined;
  const carrier: Partial<TraceContext> = {};
  propagation.inject(active, carrier);
  if (!carrier.traceparent) return undefined;
  return carrier.tracestate
    ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate }
    : { traceparent: carrier.traceparent };
}

/** The event as written by the active trace: with its trace context, unless it has one already. */
export function withActiveTraceContext<E extends EventEnvelope>(event: E): E {
  if (event.traceContext) return event;
  const traceContext = activeTraceContext();
  return traceContext ? { ...event, traceContext } : event;
}

/** What the trace of an event is known by: its envelope, or the outbox row that holds it. */
export interface TracedEvent {
  id: string;
  type: string;
  traceContext?: TraceContext;
}

/** The context a message continues: its headers' trace context, else its envelope's, else none. */
export function producerContextOf(headers: MsgHdrs | undefined, event?: TracedEvent): Context {
  const traceparent = headers?.get('traceparent');
  const carrier: Partial<TraceContext> | undefined = traceparent
    ? { traceparent, tracestate: headers?.get('tracestate') || undefined }
    : event?.traceContext;
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
}

function messagingAttributes(operation: 'send' | 'process', subject: string, event?: TracedEvent): Attributes {
  return {
    'messaging.system': 'nats',
    'messaging.operation.type': operation,
    'messaging.destination.name': subject,
    ...(event ? { 'messaging.message.id': event.id, 'ticketing.event.type': event.type } : {}),
  };
}

function markFailed(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
}

/** Marks the active span failed: for a failure handled where it happened (a redelivery asked for). */
export function markActiveSpanFailed(error: unknown): void {
  const span = trace.getActiveSpan();
  if (span) markFailed(span, error);
}

/** Ends `span` with the outcome of `work`. */
async function endedWith<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    markFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Publishes an outbox event in a `send` span that continues the trace that wrote it; `publish`
 * gets the headers that carry the span on (none when there is no trace to carry).
 */
export async function tracedPublish<T>(
  subject: string,
  event: TracedEvent,
  publish: (headers: MsgHdrs | undefined) => Promise<T>,
): Promise<T> {
  const parent = producerContextOf(undefined, event);
  const span = tracer.startSpan(
    `send ${subject}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes('send', subject, event) },
    parent,
  );
  const carrier: Partial<TraceContext> = {};
  propagation.inject(trace.setSpan(parent, span), carrier);
  let headers: MsgHdrs | undefined;
  if (carrier.traceparent) {
    headers = natsHeaders();
    headers.set('traceparent', carrier.traceparent);
    if (carrier.tracestate) headers.set('tracestate', carrier.tracestate);
  }
  return endedWith(span, () => publish(headers));
}

/** A message to handle: its subject, its headers and (once parsed) its event. */
export interface ReceivedMessage {
  subject: string;
  headers?: MsgHdrs;
  event?: EventEnvelope;
}

/** Runs `handle` for one message in a `process` span, child of the span that published it. */
export function inProcessSpan<T>(
  message: ReceivedMessage,
  attributes: Attributes,
  handle: () => Promise<T>,
): Promise<T> {
  const parent = producerContextOf(message.headers, message.event);
  const span = tracer.startSpan(
    `process ${message.subject}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: { ...messagingAttributes('process', message.subject, message.event), ...attributes },
    },
    parent,
  );
  return context.with(trace.setSpan(parent, span), () => endedWith(span, handle));
}

/**
 * Runs `handle` for messages handled together in a batch span linked to each message's `send`
 * span; each message gets a `process` span in its own trace, linked to the batch, ended with it.
 */
export function inBatchSpan<T>(
  name: string,
  messages: readonly ReceivedMessage[],
  attributes: Attributes,
  handle: () => Promise<T>,
): Promise<T> {
  const producers = messages.map((message) => producerContextOf(message.headers, message.event));
  const links: Link[] = producers.flatMap((producer) => {
    const spanContext = trace.getSpanContext(producer);
    return spanContext ? [{ context: spanContext }] : [];
  });
  const batch = tracer.startSpan(name, {
    kind: SpanKind.CONSUMER,
    root: true,
    links,
    attributes: { 'messaging.system': 'nats', 'messaging.batch.message_count': messages.length, ...attributes },
  });
  const perMessage = messages.map((message, i) =>
    tracer.startSpan(
      `process ${message.subject}`,
      {
        kind: SpanKind.CONSUMER,
        links: [{ context: batch.spanContext() }],
        attributes: { ...messagingAttributes('process', message.subject, message.event), ...attributes },
      },
      producers[i],
    ),
  );
  return context.with(trace.setSpan(ROOT_CONTEXT, batch), () =>
    endedWith(batch, async () => {
      try {
        return await handle();
      } catch (error) {
        for (const span of perMessage) span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        for (const span of perMessage) span.end();
      }
    }),
  );
}
