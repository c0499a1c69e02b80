/**
 * The saga's safety net, with nothing mocked: when the reservation process dies between ticket's
 * hold and its own commit, or its database refuses to end the attempt, the attempt stays stored
 * and the sweeper abandons it, so the ticket is released within the bound. Reservation runs as a
 * process of its own so it can really be killed; ticket's answer passes through a TCP proxy that
 * kills it at the moment the answer arrives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { errorCodes, graphql } from '../../operations/client.ts';
import { MyReservationsDocument, ReserveTicketDocument } from '../../operations/documents.generated.ts';
import { eventually } from '../support/eventually.ts';
import type { FaultProxy } from '../support/fault-proxy.ts';
import type { TestSupergraph } from '../support/supergraph.ts';
import { startSupergraphBehindProxy, type SupergraphBehindProxy } from '../support/ticket-behind-proxy.ts';
import { tokenFor } from '../support/tokens.ts';

const root = path.resolve(import.meta.dirname, '../..');
const ATTEMPT_TIMEOUT_MS = 2000;

let system: SupergraphBehindProxy;
let proxy: FaultProxy;
let supergraph: TestSupergraph;
let reservationDb: pg.Client;
const children: ChildProcess[] = [];

beforeAll(async () => {
  system = await startSupergraphBehindProxy({
    TICKET_CALL_TIMEOUT_MS: '500',
    TICKET_CALL_MAX_ATTEMPTS: '1',
    TICKET_BULKHEAD_QUEUE: '0',
    PENDING_RESERVATION_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
    PENDING_RESERVATION_SWEEP_INTERVAL_MS: '200',
  });
  ({ proxy, supergraph } = system);
  reservationDb = new pg.Client({ connectionString: supergraph.databaseUrls.reservation });
  await reservationDb.connect();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await reservationDb?.end();
  await system?.stop();
});

/** Reservation as a process of its own, on the port the gateway knows. */
function startReservationProcess(): { child: ChildProcess; exited: Promise<string> } {
  const { NODE_OPTIONS: _jest, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/reservation/main.ts'], {
    cwd: root,
    env: { ...inherited, ...supergraph.envOf('reservation') },
    stdio: 'ignore',
  });
  children.push(child);
  return {
    child,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `${code}`))),
  };
}

const registerTicket = () => system.registerTicket();
const statusOf = (ticketId: string) => system.statusOf(ticketId);

async function pendingAttempts(): Promise<string[]> {
  return (await reservationDb.query<{ id: string }>('SELECT id FROM reservation_attempt')).rows.map((r) => r.id);
}

/** Process start under a loaded machine can take a while: wait for readiness, not for a time. */
const reservationReady = () =>
  eventually(
    async () =>
      expect((await fetch(`http://127.0.0.1:${supergraph.envOf('reservation').PORT}/health/ready`)).status).toBe(200),
    90_000,
  );

const reserve = async (ticketId: string, user: string) =>
  graphql(supergraph.gatewayUrl, ReserveTicketDocument, { variables: { ticketId }, token: await tokenFor(user) });

describe('pending reservation attempts', () => {
  it('when the database refuses to end the attempt after the hold, the sweeper releases the ticket once it can', async () => {
    const ticketId = await registerTicket();
    await reservationDb.query(`CREATE FUNCTION refuse_attempt_end() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'the test keeps this attempt'; END $$`);
    await reservationDb.query(
      'CREATE TRIGGER keep_attempt BEFORE DELETE ON reservation_attempt FOR EACH ROW EXECUTE FUNCTION refuse_attempt_end()',
    );
    try {
      const failed = await reserve(ticketId, 'kept-attempt');
      expect(errorCodes(failed)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(await statusOf(ticketId)).toBe('RESERVED');
      expect(await pendingAttempts()).toHaveLength(1);
      // Pending is not reserved: the user sees no reservation.
      const mine = await graphql(supergraph.gatewayUrl, MyReservationsDocument, {
        token: await tokenFor('kept-attempt'),
      });
      expect(mine.data!.myReservations.edges).toEqual([]);
    } finally {
      await reservationDb.query('DROP TRIGGER IF EXISTS keep_attempt ON reservation_attempt');
      await reservationDb.query('DROP FUNCTION IF EXISTS refuse_attempt_end()');
    }

    await eventually(async () => expect(await statusOf(ticketId)).toBe('AVAILABLE'));
    expect(await pendingAttempts()).toEqual([]);
    expect((await reserve(ticketId, 'next-user')).data!.reserveTicket.status).toBe('CONFIRMED');
  }, 60_000);

  it('when the reservation process is killed between the hold and its commit, the sweeper of the restarted process releases the ticket', async () => {
    const ticketId = await registerTicket();
    await supergraph.stopSubgraph('reservation');
    const doomed = startReservationProcess();
    await reservationReady();
    proxy.set({ kind: 'drop-responses', onDropped: () => doomed.child.kill('SIGKILL') });

    const failed = await reserve(ticketId, 'killed-mid-saga');
    expect(failed.errors).toBeDefined();
    expect(await doomed.exited).toBe('SIGKILL');
    // Killed with the ticket held and the attempt stored: nothing in that process can undo it.
    expect(await statusOf(ticketId)).toBe('RESERVED');
    expect(await pendingAttempts()).toHaveLength(1);

    proxy.set({ kind: 'pass' });
    const restarted = startReservationProcess();
    await reservationReady();
    await eventually(async () => expect(await statusOf(ticketId)).toBe('AVAILABLE'), 30_000);
    expect(await pendingAttempts()).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${supergraph.envOf('reservation').PORT}/metrics`)).text();
    expect(metrics).toMatch(/^reservation_attempts_abandoned_total\{[^}]*by="sweeper"[^}]*\} 1$/m);
    expect((await reserve(ticketId, 'next-user-2')).data!.reserveTicket.status).toBe('CONFIRMED');

    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe('0');
  }, 240_000);
});
