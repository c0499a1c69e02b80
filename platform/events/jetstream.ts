/**
 * NATS connection and the ticketing stream, created or updated idempotently at start.
 *
 * Stream: file storage, limits retention with no age limit by default (a view can be rebuilt by
 * replaying from the first event), and a duplicate window in which a repeated `Nats-Msg-Id` is
 * dropped by the server.
 */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { NatsConfig } from '../config.ts';
import type { Logger } from '../logging.ts';

export const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

export async function connectNats(config: NatsConfig, name: string, logger: Logger): Promise<NatsConnection> {
  let connection: NatsConnection;
  try {
    connection = await connect({
      servers: config.url,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: false,
    });
  } catch (error) {
    throw new Error(
      `cannot connect to NATS at ${config.url} (NATS_URL): start a nats-server with JetStream (-js), ` +
        'for example `nats-server -js -sd .data/nats`',
      { cause: error },
    );
  }
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect')
        logger.warn({ nats: status.type }, `NATS ${status.type}`);
    }
  })();
  return connection;
}

export function streamSubjects(config: NatsConfig): string[] {
  return [`${config.subjectPrefix}.>`];
}

export async function ensureStream(connection: NatsConnection, config: NatsConfig): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(connection);
  const desired = {
    subjects: streamSubjects(config),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
  try {
    const info = await jsm.streams.info(config.stream);
    const current = info.config;
    if (current.subjects.join() !== desired.subjects.join() || current.duplicate_window !== desired.duplicate_window) {
      await jsm.streams.update(config.stream, { ...current, ...desired });
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.streams.add({
        name: config.stream,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        ...desired,
      });
    } catch (addError) {
      // Another process created it between our lookup and our add.
      if (!/already in use/i.test(String((addError as Error).message))) throw addError;
    }
  }
  return jsm;
}

function isNotFound(error: unknown): boolean {
  return /not found/i.test(String((error as Error)?.message));
}
