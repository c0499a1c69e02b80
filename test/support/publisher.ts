/** Publishes events straight onto a test stream, as another service's relay would. */
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { EventEnvelope } from '../../ticketing/events/contracts.ts';
import { subjectOf } from '../../ticketing/events/envelope.ts';
import type { TestStream } from './nats.ts';

export interface TestPublisher {
  /** Publishes with the event id as Nats-Msg-Id, like the outbox relay. */
  publish(event: EventEnvelope): Promise<void>;
  /** Publishes the same event again under another message id: a redelivery the broker cannot dedupe. */
  publishAgain(event: EventEnvelope): Promise<void>;
  /** Publishes raw bytes on a subject of the stream. */
  publishRaw(subject: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export async function createTestPublisher(stream: TestStream): Promise<TestPublisher> {
  const connection: NatsConnection = await connect({ servers: stream.url });
  const js = jetstream(connection);
  const subject = (event: EventEnvelope) => `${stream.subjectPrefix}.${subjectOf(event.type)}`;
  return {
    async publish(event) {
      await js.publish(subject(event), JSON.stringify(event), { msgID: event.id });
    },
    async publishAgain(event) {
      await js.publish(subject(event), JSON.stringify(event), { msgID: `${event.id}-again-${Date.now()}` });
    },
    async publishRaw(suffix, payload) {
      await js.publish(`${stream.subjectPrefix}.${suffix}`, payload);
    },
    close: () => connection.close(),
  };
}
