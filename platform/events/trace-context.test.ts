/**
 * The trace across the event backbone, against the real SDK with spans kept in memory: the writer's
 * context into the envelope, the relay's `send` span onto the headers, a handler's `process` span
 * its child; a batch linked to every `send` span, each message's span in its own trace. And with
 * no SDK, nothing added anywhere.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import type { MsgHdrs } from '@nats-io/nats-core';
import type { EventEnvelope } from '../../ticketing/events/contracts.ts';
import { newEvent } from '../../ticketing/events/envelope.ts';
import {
  activeTraceContext,
  inBatchSpan,
  inProcessSpan,
  producerContextOf,
  tracedPublish,
  withActiveTraceContext,
} from './trace-context.ts';

const aReservation = (): EventEnvelope =>
  newEvent(
    'TicketReserved',
    { ticketId: randomUUID(), reservationId: randomUUID(), userId: 'u' },
    { userGrade: 'VIP' },
    { correlationId: 'trace-test', causationId: null },
  );

const SUBJECT = 'test.reservation.reserved';
const nothing = async () => undefined;

describe('with no SDK (tracing off)', () => {
  it('adds no trace context to an event and no headers to its message', async () => {
    const event = aReservation();
    let sent: MsgHdrs | undefined;

    expect(withActiveTraceContext(event)).toBe(event);
    expect(activeTraceContext()).toBeUndefined();
    await tracedPublish(SUBJECT, event, async (headers) => void (sent = headers));
    expect(sent).toBeUndefined();
  });
});

describe('with the SDK', () => {
  const exporter = new tracing.InMemorySpanExporter();
  const sdk = new NodeSDK({
    // No resource detected (the host's is asynchronous): each span is exported as it ends.
    autoDetectResources: false,
    spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  const tracer = trace.getTracer('trace-context-test');
  const finished = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);

  // The API keeps its registry on the global object, which Jest empties between test files (a
  // registry an earlier file left is then unusable): each file starts and ends without one.
  const dropApiRegistry = () => delete (globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')];

  beforeAll(() => {
    dropApiRegistry();
    sdk.start();
  });
  afterAll(async () => {
    await sdk.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
    dropApiRegistry();
  });

  /** Writes an event inside a request span, publishes it; the message as a consumer receives it. */
  async function written(): Promise<{ traceId: string; sendSpanId: string; event: EventEnvelope; headers: MsgHdrs }> {
    const request = tracer.startSpan('request');
    const event = context.with(trace.setSpan(context.active(), request), () => withActiveTraceContext(aReservation()));
    request.end();
    let headers: MsgHdrs | undefined;
    await tracedPublish(SUBJECT, event, async (sent) => void (headers = sent));
    const send = finished(`send ${SUBJECT}`).at(-1)!;
    expect(send.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    return { traceId: request.spanContext().traceId, sendSpanId: send.spanContext().spanId, event, headers: headers! };
  }

  it('keeps the writer’s trace in the envelope and puts the send span on the headers', async () => {
    const { traceId, sendSpanId, event, headers } = await written();

    expect(event.traceContext?.traceparent).toContain(traceId);
    expect(headers.get('traceparent')).toBe(`00-${traceId}-${sendSpanId}-01`);
  });

  it('handles a message in a process span, child of its send span, from the headers or else the envelope', async () => {
    const { traceId, sendSpanId, event, headers } = await written();
    let activeDuringHandling: string | undefined;

    await inProcessSpan(
      { subject: SUBJECT, headers, event },
      { 'messaging.consumer.group.name': 'price' },
      async () => {
        activeDuringHandling = trace.getActiveSpan()?.spanContext().traceId;
      },
    );
    const processed = finished(`process ${SUBJECT}`).at(-1)!;

    expect(processed.parentSpanContext?.spanId).toBe(sendSpanId);
    expect(processed.kind).toBe(SpanKind.CONSUMER);
    expect(activeDuringHandling).toBe(traceId);
    // A message published without headers still continues the writer's trace.
    expect(trace.getSpanContext(producerContextOf(undefined, event))?.traceId).toBe(traceId);
  });

  it('links a batch span to every message’s send span; each message’s process span continues its own trace', async () => {
    const first = await written();
    const second = await written();
    exporter.reset();

    await inBatchSpan(
      'process 2 events',
      [first, second].map(({ event, headers }) => ({ subject: SUBJECT, headers, event })),
      {},
      nothing,
    );
    const [batch] = finished('process 2 events');
    const perMessage = finished(`process ${SUBJECT}`);

    expect(batch!.parentSpanContext).toBeUndefined();
    expect(batch!.links.map((link) => link.context.spanId)).toEqual([first.sendSpanId, second.sendSpanId]);
    expect(perMessage.map((span) => span.parentSpanContext?.spanId).sort()).toEqual(
      [first.sendSpanId, second.sendSpanId].sort(),
    );
    expect(perMessage.map((span) => span.spanContext().traceId).sort()).toEqual([first.traceId, second.traceId].sort());
    for (const span of perMessage) expect(span.links[0]?.context.spanId).toBe(batch!.spanContext().spanId);
  });
});
