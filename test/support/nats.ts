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

export function createTestStream(): TestStream {
  const suffix = randomBytes(5).toString('hex');
  const config = { url: TEST_NATS_URL, stream: `TEST_${suffix}`, subjectPrefix: `test_${suffix}` };
  return {
    ...config,
    suffix,
    async delete() {
      const connection = await connect({ servers: TEST_NATS_URL });
      try {
        await (await jetstreamManager(connection)).streams.delete(config.stream).catch(() => false);
      } finally {
        await connection.close();
      }
    },
  };
}
