/**
 * The ticketing streams, created or updated idempotently at start by every service.
 *
 * Events: file storage, limits retention with no age or size limit by default (a read model can
 * be rebuilt by replaying from the first event), and a duplicate window in which a repeated
 * `Nats-Msg-Id` is dropped by the server (the relay publishes each outbox row with its event id).
 *
 * Dead letters: a second stream, outside the event subjects so no consumer ever sees them, that
 * keeps each message a consumer gave up on, with the reason in its headers.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { nanos } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { natsServers, type NatsConfig } from '../config.ts';

export const DUPLICATE_WINDOW_MS = 10 * 60 * 1000;

/** Throws unless a NATS server with JetStream enabled answers at `url` (the tests' and the bench's first check). */
export async function assertJetStreamAt(url: string): Promise<void> {
  const connection = await connect({ servers: natsServers(url), timeout: 3000 });
  try {
    await (await jetstreamManager(connection)).getAccountInfo();
  } finally {
    await connection.close();
  }
}

export function streamSubjects(config: NatsConfig): string[] {
  return [`${config.subjectPrefix}.>`];
}

export function deadLetterStream(config: NatsConfig): string {
  return `${config.stream}_DEAD_LETTERS`;
}

/** Where a consumer's dead letters go: `<prefix>_dead.<consumer>`. */
export function deadLetterSubject(config: NatsConfig, consumer: string): string {
  return `${config.subjectPrefix}_dead.${consumer}`;
}

export async function ensureStream(connection: NatsConnection, config: NatsConfig): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(connection);
  const num_replicas = config.streamReplicas ?? 1;
  await ensureOne(jsm, config.stream, {
    subjects: streamSubjects(config),
    num_replicas,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  });
  await ensureOne(jsm, deadLetterStream(config), { subjects: [`${config.subjectPrefix}_dead.>`], num_replicas });
  return jsm;
}

async function ensureOne(
  jsm: JetStreamManager,
  name: string,
  desired: Pick<StreamConfig, 'subjects' | 'num_replicas'> & Partial<Pick<StreamConfig, 'duplicate_window'>>,
): Promise<void> {
  try {
    const { config: current } = await jsm.streams.info(name);
    const differs =
      current.subjects.join() !== desired.subjects.join() ||
      current.num_replicas !== desired.num_replicas ||
      (desired.duplicate_window !== undefined && current.duplicate_window !== desired.duplicate_window);
    if (differs) await jsm.streams.update(name, { ...current, ...desired });
  } catch (error) {
    if (!/not found/i.test(String((error as Error)?.message))) throw error;
    try {
      await jsm.streams.add({ name, storage: StorageType.File, retention: RetentionPolicy.Limits, ...desired });
    } catch (addError) {
      // Another process created it between our lookup and our add.
      if (!/already in use/i.test(String((addError as Error).message))) throw addError;
    }
  }
}
