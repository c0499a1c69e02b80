/**
 * The ticket subgraph on its own, against real PostgreSQL and NATS: the internal hold needs the
 * reservation service's identity, is atomic and idempotent; releases happen only for the holder;
 * registration and holds announce themselves on the stream with a full envelope.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, graphql } from '../../../operations/client.ts';
import { RegisterTicketDocument, TicketStatusDocument } from '../../../operations/documents.generated.ts';
import { issueServiceToken } from '../../../platform/auth/tokens.ts';
import { authConfigFrom } from '../../../platform/config.ts';
import { newEvent } from '../../../ticketing/events/envelope.ts';
import type { RunningSubgraph } from '../../../platform/subgraph-process.ts';
import { aTicket } from '../../../test/support/builders.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { createTestStream, type TestStream } from '../../../test/support/nats.ts';
import { createTestPublisher, type TestPublisher } from '../../../test/support/publisher.ts';
import { testServiceEnv } from '../../../test/support/supergraph.ts';
import { adminToken, forgedToken, tokenFor } from '../../../test/support/tokens.ts';
import { HoldTicketDocument, ReleaseTicketDocument } from '../../reservation/clients/ticket-hold.generated.ts';
import { loadTicketConfig } from '../config.ts';
import { startTicketService } from '../service.ts';

let database: TestDatabase;
let stream: TestStream;
let ticket: RunningSubgraph;
let publisher: TestPublisher;
let reservationService: string;
let ticketConsumer: string;

const auth = authConfigFrom({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });

async function register(correlationId: string = randomUUID()): Promise<string> {
  const result = await graphql(ticket.url, RegisterTicketDocument, {
    variables: { input: aTicket() },
    token: await adminToken(),
    headers: { 'x-correlation-id': correlationId },
  });
  expect(result.errors).toBeUndefined();
  return result.data!.registerTicket.id;
}

const hold = (ticketId: string, reservationId: string, token = reservationService) =>
  graphql(ticket.url, HoldTicketDocument, { variables: { ticketId, reservationId }, token });

const release = (ticketId: string, reservationId: string) =>
  graphql(ticket.url, ReleaseTicketDocument, { variables: { ticketId, reservationId }, token: reservationService });

async function statusOf(ticketId: string): Promise<string> {
  return (await graphql(ticket.url, TicketStatusDocument, { variables: { id: ticketId } })).data!.ticket!.status;
}

beforeAll(async () => {
  [database, stream] = [await createTestDatabase('ticket'), createTestStream()];
  ticketConsumer = `ticket_${stream.suffix}`;
  ticket = await startTicketService(
    loadTicketConfig({ ...testServiceEnv(stream, database.url), TICKET_CONSUMER: ticketConsumer }),
  );
  await ticket.eventsAttached;
  publisher = await createTestPublisher(stream);
  reservationService = await issueServiceToken(auth, 'reservation');
});

afterAll(async () => {
  await publisher?.close();
  await ticket?.stop();
  await database?.drop();
  await stream?.delete();
});

describe('the internal hold', () => {
  it('needs the reservation service identity', async () => {
    const ticketId = await register();
    expect(errorCodes(await hold(ticketId, randomUUID(), await tokenFor('user-1')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await hold(ticketId, randomUUID(), await adminToken()))).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(
        await graphql(ticket.url, HoldTicketDocument, { variables: { ticketId, reservationId: randomUUID() } }),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(await statusOf(ticketId)).toBe('AVAILABLE');
  });

  it('holds an AVAILABLE ticket, and holding again for the same reservation changes nothing', async () => {
    const ticketId = await register();
    const reservationId = randomUUID();
    expect((await hold(ticketId, reservationId)).data!.holdTicket).toEqual({
      ticketId,
      reservationId,
      status: 'RESERVED',
    });
    expect((await hold(ticketId, reservationId)).data!.holdTicket.status).toBe('RESERVED');
    expect(errorCodes(await hold(ticketId, randomUUID()))).toEqual(['TICKET_NOT_AVAILABLE']);
  });

  it('releases only for the reservation that holds the ticket', async () => {
    const ticketId = await register();
    const holder = randomUUID();
    await hold(ticketId, holder);
    expect((await release(ticketId, randomUUID())).data!.releaseTicket.status).toBe('RESERVED');
    expect((await release(ticketId, holder)).data!.releaseTicket.status).toBe('AVAILABLE');
    expect((await release(ticketId, holder)).data!.releaseTicket.status).toBe('AVAILABLE');
  });

  it('when many holds race, exactly one reservation wins', async () => {
    const ticketId = await register();
    const results = await Promise.all(Array.from({ length: 20 }, () => hold(ticketId, randomUUID())));
    expect(results.filter((r) => r.data?.holdTicket)).toHaveLength(1);
  });
});

describe('identity in the subgraph itself', () => {
  it('refuses a forged token even when called directly, around the gateway', async () => {
    const result = await graphql(ticket.url, TicketStatusDocument, {
      variables: { id: randomUUID() },
      token: await forgedToken(),
    });
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('events', () => {
  it('announces registration and holds on the stream, correlated with the request', async () => {
    const correlationId = `corr-${randomUUID()}`;
    const ticketId = await register(correlationId);
    const reservationId = randomUUID();
    await hold(ticketId, reservationId);
    const events = await eventually(async () => {
      const found = (await stream.events()).filter((e) => e.ticketId === ticketId);
      expect(found.map((e) => e.type)).toEqual(['TicketRegistered', 'TicketHeld']);
      return found;
    });
    expect(events[0]).toMatchObject({
      type: 'TicketRegistered',
      version: 1,
      correlationId,
      causationId: null,
      ticketId,
      data: expect.objectContaining({ basePrice: 100_000, currency: 'KRW' }),
    });
    expect(events[1]).toMatchObject({ type: 'TicketHeld', reservationId });
  });

  it('releases the ticket when its reservation is cancelled, once, and never another reservation’s hold', async () => {
    const ticketId = await register();
    const cancelledReservation = randomUUID();
    await hold(ticketId, cancelledReservation);
    const cancelled = newEvent(
      'ReservationCancelled',
      { ticketId, reservationId: cancelledReservation, userId: 'u-1' },
      { userGrade: 'NORMAL' },
      { correlationId: 'cancel-test', causationId: null },
    );
    await publisher.publish(cancelled);
    await eventually(async () => expect(await statusOf(ticketId)).toBe('AVAILABLE'));

    // Someone else reserves it; a redelivery of the old cancellation must not free their hold.
    const nextReservation = randomUUID();
    await hold(ticketId, nextReservation);
    await publisher.publishAgain(cancelled);
    await stream.consumedBy(ticketConsumer);
    expect(await statusOf(ticketId)).toBe('RESERVED');
  });
});
