/** A stream and consumer names of the test's own, so tests never see each other's (or `npm start`'s) events. */
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConfig } from '../../platform/config.ts';
import { parseEvent, type EventEnvelope } from '../../ticketing/events/contracts.ts';
import { eventually } from './eventually.ts';
import { testNatsUrl } from './services.ts';

export interface TestStream extends NatsConfig {
  /** A suffix for durable consumer names. */
  suffix: string;
  /** Every event on the stream so far, in stream order. */
  events(): Promise<EventEnvelope[]>;
  /**
   * Waits until the durable consumer has finished with every message on the stream so far:
   * acknowledged after its handler committed, or dead-lettered. What a test checks afterwards
   * has then seen every event it published.
   */
  consumedBy(durableName: string, timeoutMs?: number): Promise<void>;
  delete(): Promise<void>;
}

export function createTestStream(url: string = testNatsUrl()): TestStream {
  const suffix = randomBytes(5).toString('hex');
  const config = { url, stream: `TEST_${suffix}`, subjectPrefix: `test_${suffix}` };
  return {
    ...config,
    suffix,
    async events() {
      const connection = await connect({ servers: url });
      try {
        const jsm = await jetstreamManager(connection);
        const { state } = await jsm.streams.info(config.stream);
        const events: EventEnvelope[] = [];
        for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
          const message = await jsm.streams.getMessage(config.stream, { seq }).catch(() => null);
          if (message) events.push(parseEvent(message.json()));
        }
        return events;
      } finally {
        await connection.close();
      }
    },
    async consumedBy(durableName, timeoutMs) {
      const connection = await connect({ servers: url });
      try {
        const jsm = await jetstreamManager(connection);
        const { state } = await jsm.streams.info(config.stream);
        await eventually(async () => {
          const { ack_floor, num_pending, num_ack_pending } = await jsm.consumers.info(config.stream, durableName);
          // A durable takes only its services' subjects: nothing of those left is done too.
          const nothingLeft = num_pending === 0 && num_ack_pending === 0;
          if (ack_floor.stream_seq < state.last_seq && !nothingLeft)
            throw new Error(
              `${durableName} has finished with stream messages up to ${ack_floor.stream_seq} of ${state.last_seq}`,
            );
        }, timeoutMs);
      } finally {
        await connection.close();
      }
    },
    async delete() {
      const connection = await connect({ servers: url, timeout: 2000 }).catch(() => undefined);
      if (!connection) return; // a test's own server, already gone with its store
      try {
        const jsm = await jetstreamManager(connection);
        for (const name of [config.stream, `${config.stream}_DEAD_LETTERS`])
          await jsm.streams.delete(name).catch(() => false);
      } finally {
        await connection.close();
      }
    },
  };
}
