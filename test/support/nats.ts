/** A stream and consumer names of the test's own, so tests never see each other's (or `npm start`'s) events. */
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConfig } from '../../platform/config.ts';
import { TEST_NATS_URL } from './services.ts';

export interface TestStream extends NatsConfig {
  /** A suffix for durable consumer names. */
  suffix: string;
  delete(): Promise<void>;
}

export function createTestStream(url: string = TEST_NATS_URL): TestStream {
  const suffix = randomBytes(5).toString('hex');
  const config = { url, stream: `TEST_${suffix}`, subjectPrefix: `test_${suffix}` };
  return {
    ...config,
    suffix,
    async delete() {
      const connection = await connect({ servers: url, timeout: 2000 }).catch(() => undefined);
      if (!connection) return; // a test's own server, already gone with its store
      try {
        const jsm = await jetstreamManager(connection);
        for (const name of [config.stream, `${config.stream}_DEAD_LETTERS`]) await jsm.streams.delete(name).catch(() => false);
      } finally {
        await connection.close();
      }
    },
  };
}
