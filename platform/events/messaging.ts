/** A service's connection to the event backbone: NATS, the stream, a JetStream client. */
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConfig } from '../config.ts';
import type { Logger } from '../logging.ts';
import { connectNats, ensureStream } from './jetstream.ts';

export interface Messaging {
  connection: NatsConnection;
  jsm: JetStreamManager;
  js: JetStreamClient;
  config: NatsConfig;
  /** Whether the connection is up right now (for readiness). */
  connected(): boolean;
  /** Drains: in-flight publishes and acks complete, then the connection closes. */
  stop(): Promise<void>;
}

export async function startMessaging(config: NatsConfig, name: string, logger: Logger): Promise<Messaging> {
  const connection = await connectNats(config, name, logger);
  let connected = true;
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') connected = false;
      if (status.type === 'reconnect') connected = true;
    }
  })();
  try {
    const jsm = await ensureStream(connection, config);
    return {
      connection,
      jsm,
      js: jetstream(connection),
      config,
      connected: () => connected && !connection.isClosed(),
      async stop() {
        if (!connection.isClosed()) await connection.drain();
      },
    };
  } catch (error) {
    await connection.close();
    throw new Error(`NATS at ${config.url} answered but JetStream is not usable: is the server started with -js?`, {
      cause: error,
    });
  }
}
