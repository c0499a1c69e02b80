/**
 * A service's connection to the event backbone: NATS, the stream, a JetStream client.
 *
 * Writes never depend on NATS: a service starts and serves while NATS is unreachable (its outbox
 * holds the events) and attaches its relay and consumer once the connection is up. The client
 * reconnects forever; JetStream keeps the stream and durable consumers across server restarts.
 */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { natsServers, type NatsConfig } from '../config.ts';
import type { Logger } from '../logging.ts';
import { ensureStream } from './jetstream.ts';

export interface Messaging {
  connection: NatsConnection;
  jsm: JetStreamManager;
  js: JetStreamClient;
  config: NatsConfig;
}

export interface MessagingConnector {
  /** Resolves once connected and the stream exists; never rejects while the service runs. */
  ready: Promise<Messaging>;
  /** Whether the connection is up right now (reported by readiness). */
  connected(): boolean;
  /** Drains: in-flight publishes and acks complete, then the connection closes. */
  stop(): Promise<void>;
}

/** The servers in `NATS_URL` (read where the configuration validates it). */
export { natsServers };

export function connectMessaging(
  config: NatsConfig,
  name: string,
  logger: Logger,
  options: { onReconnect?: () => void } = {},
): MessagingConnector {
  let connection: NatsConnection | undefined;
  let connected = false;
  let stopped = false;

  async function establish(): Promise<Messaging> {
    logger.info({ url: config.url }, 'connecting to NATS');
    const nc = await connect({
      servers: natsServers(config.url),
      name,
      // Keep trying: a service must start and take writes while NATS is down.
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    });
    connection = nc;
    connected = true;
    if (stopped) {
      await nc.close();
      throw new Error('stopped before NATS answered');
    }
    void watchStatus(nc);
    const jsm = await ensureStreamWhenAvailable(nc);
    logger.info({ url: config.url, stream: config.stream }, 'connected to NATS JetStream');
    return { connection: nc, jsm, js: jetstream(nc), config };
  }

  async function watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        logger.warn({ url: config.url }, 'NATS disconnected; events wait in the outbox');
      }
      if (status.type === 'reconnect') {
        connected = true;
        logger.info({ url: config.url }, 'NATS reconnected');
        options.onReconnect?.();
      }
    }
  }

  // A server started without -js answers but has no JetStream: say so, and keep trying.
  async function ensureStreamWhenAvailable(nc: NatsConnection): Promise<JetStreamManager> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ensureStream(nc, config);
      } catch (error) {
        if (stopped) throw error;
        logger.error(
          { err: error, attempt },
          `NATS at ${config.url} answers but JetStream is not usable (is it started with -js?)`,
        );
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * attempt, 10_000)));
      }
    }
  }

  const ready = establish();
  ready.catch((error) => {
    if (!stopped) logger.error({ err: error }, 'NATS connection failed');
  });

  return {
    ready,
    connected: () => connected && !!connection && !connection.isClosed(),
    async stop() {
      stopped = true;
      if (connection && !connection.isClosed()) await connection.drain();
    },
  };
}

/** Connects and waits for NATS (for processes that cannot do anything useful without it). */
export async function startMessaging(
  config: NatsConfig,
  name: string,
  logger: Logger,
): Promise<Messaging & Pick<MessagingConnector, 'connected' | 'stop'>> {
  const connector = connectMessaging(config, name, logger);
  return { ...(await connector.ready), connected: connector.connected, stop: connector.stop };
}
