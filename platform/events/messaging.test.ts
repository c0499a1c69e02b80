/**
 * The connection to a real NATS JetStream through a NATS_URL that lists a cluster's servers, as
 * the production overlay configures it.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { createTestStream, type TestStream } from '../../test/support/nats.ts';
import { freePort } from '../../system/listening.ts';
import { connectMessaging, natsServers } from './messaging.ts';

let stream: TestStream;

beforeAll(() => {
  stream = createTestStream();
});

afterAll(() => stream.delete());

it('reads every server of a comma-separated NATS_URL', () => {
  expect(natsServers('nats://nats-0.nats-headless:4222, nats://nats-1.nats-headless:4222,')).toEqual([
    'nats://nats-0.nats-headless:4222',
    'nats://nats-1.nats-headless:4222',
  ]);
});

it('when NATS_URL lists a server that answers and one that does not, it connects and creates the stream', async () => {
  const silent = `nats://127.0.0.1:${await freePort()}`;
  const connector = connectMessaging(
    { ...stream, url: `${stream.url},${silent}` },
    'messaging-test',
    pino({ level: 'silent' }),
  );
  try {
    const { jsm } = await connector.ready;

    expect(connector.connected()).toBe(true);
    expect((await jsm.streams.info(stream.stream)).config.subjects).toEqual([`${stream.subjectPrefix}.>`]);
  } finally {
    await connector.stop();
  }
});
