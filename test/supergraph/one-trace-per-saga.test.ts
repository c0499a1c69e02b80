/**
 * One trace per saga, with every process separate as in production and exporting over OTLP/HTTP
 * to a receiver of the test's own. The test starts the trace itself (a sampled `traceparent` on
 * the request to the gateway) and samples nothing else (parentbased_traceidratio at 0), so the
 * trace it reads holds exactly what that one request caused: the gateway's plan and fetches,
 * reservation, ticket's hold, the relay's publish, and price's and the view's handling of the
 * events, across NATS; a cancellation likewise.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mustQuery } from '../../operations/client.ts';
import {
  CancelReservationDocument,
  PriceDocument,
  RegisterTicketDocument,
  ReserveTicketDocument,
} from '../../operations/documents.generated.ts';
import { aTicket } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { SpanKind, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { startProcessSupergraph, type ProcessSupergraph } from '../support/process-supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';

let receiver: OtlpReceiver;
let supergraph: ProcessSupergraph;
let admin: string;
let vip: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  supergraph = await startProcessSupergraph({
    sharedEnv: {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    },
    // Price's log lines are read to find the trace in them.
    priceEnv: { LOG_LEVEL: 'info' },
  });
  [admin, vip] = await Promise.all([adminToken(), tokenFor('traced-vip', { grade: 'VIP' })]);
}, 180_000);

afterAll(async () => {
  await supergraph?.stop();
  await receiver?.stop();
});

/** A sampled trace of the test's own, as a client that traces would start it. */
function aClientTrace() {
  const traceId = randomBytes(16).toString('hex');
  const clientSpanId = randomBytes(8).toString('hex');
  return { traceId, clientSpanId, headers: { traceparent: `00-${traceId}-${clientSpanId}-01` } };
}

const SERVICES = ['gateway', 'reservation', 'ticket', 'price', 'view'].map((name) => `ticketing-${name}`);

/** What is wrong with a trace's parent relations: spans whose parent is neither in it nor the client. */
function orphansOf(spans: ReceivedSpan[], clientSpanId: string): string[] {
  const ids = new Set(spans.map((span) => span.spanId));
  return spans
    .filter((span) => span.parentSpanId !== clientSpanId && !ids.has(span.parentSpanId))
    .map((span) => `${span.service} ${span.name} (parent ${span.parentSpanId || 'none'})`);
}

function spanOf(spans: ReceivedSpan[], description: string, match: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(match);
  if (found.length !== 1) {
    const seen = spans.map((span) => `${span.service}: ${span.name}`).join('\n  ');
    throw new Error(`expected one ${description}, found ${found.length} among:\n  ${seen}`);
  }
  return found[0]!;
}

const isEvent = (kind: number, service: string, type: string) => (span: ReceivedSpan) =>
  span.kind === kind && span.service === `ticketing-${service}` && span.attributes['ticketing.event.type'] === type;

/** The `send` span of `type` by `producer`, and its `process` span in each of `consumers`, its children. */
function eventHop(spans: ReceivedSpan[], type: string, producer: string, consumers: string[]) {
  const send = spanOf(spans, `${producer}'s send span of ${type}`, isEvent(SpanKind.PRODUCER, producer, type));
  const handled = consumers.map((consumer) =>
    spanOf(spans, `${consumer}'s process span of ${type}`, isEvent(SpanKind.CONSUMER, consumer, type)),
  );
  return { send, handled };
}

function expectEventHop(spans: ReceivedSpan[], type: string, producer: string, consumers: string[]) {
  const { send, handled } = eventHop(spans, type, producer, consumers);
  for (const span of handled) expect(span.parentSpanId).toBe(send.spanId);
  return { send, handled };
}

/** Waits until the trace is whole: every process's spans arrived and every parent with them. */
async function wholeTrace(traceId: string, clientSpanId: string, complete: (spans: ReceivedSpan[]) => void) {
  return eventually(
    async () => {
      const spans = receiver.trace(traceId);
      complete(spans);
      const orphans = orphansOf(spans, clientSpanId);
      if (orphans.length > 0) throw new Error(`spans whose parent has not arrived:\n  ${orphans.join('\n  ')}`);
      return spans;
    },
    30_000,
    100,
  );
}

async function aPricedTicket(): Promise<string> {
  const { registerTicket } = await mustQuery(supergraph.gatewayUrl, RegisterTicketDocument, {
    variables: { input: aTicket() },
    token: admin,
  });
  await eventually(async () => {
    const { price } = await mustQuery(supergraph.gatewayUrl, PriceDocument, {
      variables: { ticketId: registerTicket.id },
    });
    expect(price).not.toBeNull();
  });
  return registerTicket.id;
}

it('gives a reservation and its cancellation one trace each, across the gateway, the subgraphs and NATS', async () => {
  const ticketId = await aPricedTicket();

  const reserving = aClientTrace();
  const { reserveTicket } = await mustQuery(supergraph.gatewayUrl, ReserveTicketDocument, {
    variables: { ticketId },
    token: vip,
    headers: reserving.headers,
  });
  const reservation = await wholeTrace(reserving.traceId, reserving.clientSpanId, (spans) => {
    eventHop(spans, 'TicketReserved', 'reservation', ['price', 'view']);
    eventHop(spans, 'TicketHeld', 'ticket', ['view']);
    eventHop(spans, 'VipDiscountApplied', 'price', ['view']);
  });

  expect(new Set(reservation.map((span) => span.service))).toEqual(new Set(SERVICES));
  const gatewaySpans = reservation.filter((span) => span.service === 'ticketing-gateway').map((span) => span.name);
  expect(gatewaySpans).toEqual(expect.arrayContaining(['gateway.request', 'gateway.plan', 'gateway.fetch']));
  // Reservation's hold call reaches ticket as a child of reservation's HTTP client span.
  const byId = new Map(reservation.map((span) => [span.spanId, span]));
  const holds = reservation.filter(
    (span) =>
      span.service === 'ticketing-ticket' &&
      span.kind === SpanKind.SERVER &&
      byId.get(span.parentSpanId)?.service === 'ticketing-reservation',
  );
  expect(holds.length).toBeGreaterThanOrEqual(1);
  expect(byId.get(holds[0]!.parentSpanId)?.kind).toBe(SpanKind.CLIENT);
  // Each subgraph's statements, through Prisma's pg adapter, are in the trace.
  for (const service of ['reservation', 'ticket', 'price']) {
    expect(
      reservation.some(
        (span) => span.service === `ticketing-${service}` && span.attributes['db.system.name'] === 'postgresql',
      ),
    ).toBe(true);
  }
  // Across NATS: each consumer's handling is a child of the publish; the view's, handled in a
  // batch, also links to its batch span.
  const reserved = expectEventHop(reservation, 'TicketReserved', 'reservation', ['price', 'view']);
  expectEventHop(reservation, 'TicketHeld', 'ticket', ['view']);
  expectEventHop(reservation, 'VipDiscountApplied', 'price', ['view']);
  expect(reserved.handled[1]!.links).toHaveLength(1);
  // Price applied the discount while handling TicketReserved: its event continues that span.
  const applied = eventHop(reservation, 'VipDiscountApplied', 'price', []).send;
  expect(ancestorsOf(reservation, applied)).toContain(reserved.handled[0]!.spanId);

  // Price's log line for the event names the span it was written in.
  const priceLogs = supergraph.system.services.price.output().split('\n');
  const handledLine = priceLogs
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((line) => line.msg === 'event handled' && line.type === 'TicketReserved');
  expect(handledLine).toMatchObject({ trace_id: reserving.traceId, span_id: reserved.handled[0]!.spanId });

  const cancelling = aClientTrace();
  await mustQuery(supergraph.gatewayUrl, CancelReservationDocument, {
    variables: { id: reserveTicket.id },
    token: vip,
    headers: cancelling.headers,
  });
  const cancellation = await wholeTrace(cancelling.traceId, cancelling.clientSpanId, (spans) => {
    eventHop(spans, 'ReservationCancelled', 'reservation', ['ticket', 'price', 'view']);
    eventHop(spans, 'TicketReleased', 'ticket', ['view']);
    eventHop(spans, 'VipDiscountReverted', 'price', ['view']);
  });
  expect(new Set(cancellation.map((span) => span.service))).toEqual(new Set(SERVICES));
  expectEventHop(cancellation, 'ReservationCancelled', 'reservation', ['ticket', 'price', 'view']);
  expectEventHop(cancellation, 'TicketReleased', 'ticket', ['view']);
  expectEventHop(cancellation, 'VipDiscountReverted', 'price', ['view']);

  // Nothing else was sampled: the registration and the probes left no trace.
  const traces = new Set(receiver.spans().map((span) => span.traceId));
  expect(traces).toEqual(new Set([reserving.traceId, cancelling.traceId]));
});

function ancestorsOf(spans: ReceivedSpan[], span: ReceivedSpan): string[] {
  const byId = new Map(spans.map((each) => [each.spanId, each]));
  const ancestors: string[] = [];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId)) {
    ancestors.push(parent.spanId);
  }
  return ancestors;
}
