/**
 * Until the system has finished the work a load gave it: every outbox row published, every
 * durable consumer with nothing pending or unacknowledged, the view having applied the stream's
 * last event — and the stream not growing meanwhile. So the CPU an operation costs can be counted
 * to the end of its saga, consumers and relays included.
 *
 * Checked from outside the system's Node processes (PostgreSQL, the JetStream API) except the
 * view's position, read from its /metrics every POLL_MS (a small cost to the view, counted in).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { DATABASE_SERVICES } from '../../system/topology.ts';
import type { Stack } from './stack.ts';

const POLL_MS = 100;

export async function untilSettled(stack: Stack, timeoutMs: number): Promise<void> {
  const connection = await connect({ servers: stack.sharedEnv.NATS_URL! });
  const clients = await Promise.all(
    DATABASE_SERVICES.map(async (service) => {
      const client = new pg.Client({ connectionString: stack.databaseUrl(service) });
      await client.connect();
      return client;
    }),
  );
  try {
    const jsm = await jetstreamManager(connection);
    const stream = stack.sharedEnv.NATS_STREAM!;
    const lastSequence = async () => (await jsm.streams.info(stream)).state.last_seq;
    const consumersIdle = async () =>
      (await jsm.consumers.list(stream).next()).every(
        (consumer) => consumer.num_pending === 0 && consumer.num_ack_pending === 0,
      );
    const outboxesEmpty = async () => {
      for (const client of clients) {
        const { rows } = await client.query<{ unpublished: boolean }>(
          'SELECT EXISTS (SELECT 1 FROM outbox_event WHERE published_at IS NULL) AS unpublished',
        );
        if (rows[0]!.unpublished) return false;
      }
      return true;
    };
    const viewUrl = stack.subgraphs.view ? `http://127.0.0.1:${stack.subgraphs.view.port}/metrics` : undefined;
    const viewApplied = async (sequence: number) => {
      if (!viewUrl) return true;
      const metrics = await (await fetch(viewUrl)).text();
      const applied = Number(/^view_last_applied_sequence(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1] ?? -1);
      return applied >= sequence;
    };
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      // Nothing delivered and unfinished, nothing left to publish, nothing new published since:
      // then no handler is running that could still append to an outbox.
      const before = await lastSequence();
      if (
        (await consumersIdle()) &&
        (await outboxesEmpty()) &&
        (await consumersIdle()) &&
        (await viewApplied(before)) &&
        (await lastSequence()) === before
      )
        return;
      await sleep(POLL_MS);
    }
    throw new Error(`the system had not settled after ${timeoutMs / 1000} s`);
  } finally {
    await Promise.all(clients.map((client) => client.end()));
    await connection.close();
  }
}
