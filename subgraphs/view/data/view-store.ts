/**
 * One SQLite store of the view, through Prisma (libSQL driver adapter). A store is created from
 * the committed migrations and never migrated afterwards: a store of another schema version is
 * rebuilt from the stream instead. Each batch of events is applied in one transaction that also
 * records the last stream sequence applied and the ids of the events (the view's inbox), so a
 * batch is applied whole or not at all, and an event published twice is applied once.
 *
 * The projector writes through Prisma (view-database.ts) and GraphQL reads with prepared SQL on a
 * connection of its own (board-queries.ts): SQLite in WAL mode lets reads go on while a batch is
 * being written, and they see only whole batches.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createClient } from '@libsql/client';
import type { Prisma } from '../../../prisma/view/client/client.ts';
import type { EventEnvelope } from '../../../platform/events/contracts.ts';
import type { BoardReader } from '../domain/ports.ts';
import { applyEvents, emptySlice, type BoardChanges, type TicketSlice } from '../domain/project-event.ts';
import { openBoardQueries } from './board-queries.ts';
import { toReservationEntry, toReservationRow, toTicketEntry, toTicketRow } from './entry-rows.ts';
import { connectWriter } from './view-database.ts';

const MIGRATIONS = new URL('../../../prisma/view/migrations/', import.meta.url);

/** The committed migrations, in order, and a hash of them: the schema version a store records. */
function readMigrations(): { scripts: string[]; version: string } {
  const folders = readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const scripts = folders.map((folder) => readFileSync(new URL(`${folder}/migration.sql`, MIGRATIONS), 'utf8'));
  const hash = createHash('sha256');
  folders.forEach((folder, i) => hash.update(`${folder}\n${scripts[i]}\n`));
  return { scripts, version: hash.digest('hex').slice(0, 16) };
}

let migrations: ReturnType<typeof readMigrations> | undefined;

export function schemaVersion(): string {
  migrations ??= readMigrations();
  return migrations.version;
}

/** Which stream a store was built from, and with which schema. */
export interface StoreIdentity {
  schemaVersion: string;
  stream: string;
  /** The stream's creation time: the same name on a stream created again is another stream. */
  streamCreated: string;
}

/** A message of the stream: its sequence and the event it carries (null if it is not a valid event). */
export interface SequencedEvent {
  sequence: number;
  event: EventEnvelope | null;
}

export interface ViewStore {
  readonly file: string;
  readonly identity: StoreIdentity;
  /** The stream sequence of the last message applied (0 for a new store). */
  lastAppliedSequence(): Promise<number>;
  /**
   * Applies the messages after the last applied sequence, in order, in one transaction.
   * Returns the events applied and those skipped as already applied.
   */
  apply(batch: readonly SequencedEvent[]): Promise<{ applied: EventEnvelope[]; duplicates: EventEnvelope[] }>;
  boards: BoardReader;
  close(): Promise<void>;
}

const urlOf = (file: string) => pathToFileURL(file).href;

/** Creates a store at `file` (which must not exist) with the current schema, at sequence 0. */
export async function createStore(file: string, stream: { name: string; created: string }): Promise<ViewStore> {
  migrations ??= readMigrations();
  const client = createClient({ url: urlOf(file) });
  try {
    for (const script of migrations.scripts) await client.executeMultiple(script);
    await client.execute({
      sql: 'INSERT INTO view_meta (id, schema_version, stream, stream_created, last_applied_sequence) VALUES (1, ?, ?, ?, 0)',
      args: [migrations.version, stream.name, stream.created],
    });
  } finally {
    client.close();
  }
  return openStore(file);
}

/** Opens an existing store; throws if it is not one (for example a file left half-written). */
export async function openStore(file: string): Promise<ViewStore> {
  const setup = createClient({ url: urlOf(file) });
  let identity: StoreIdentity;
  try {
    // Persistent in the file: readers and the writer then never block each other.
    await setup.execute('PRAGMA journal_mode = WAL');
    const { rows } = await setup.execute('SELECT schema_version, stream, stream_created FROM view_meta WHERE id = 1');
    const row = rows[0];
    if (!row) throw new Error(`${file} has no view_meta row`);
    identity = {
      schemaVersion: String(row.schema_version),
      stream: String(row.stream),
      streamCreated: String(row.stream_created),
    };
  } finally {
    setup.close();
  }
  const writer = await connectWriter(urlOf(file));
  const boards = openBoardQueries(file);

  return {
    file,
    identity,

    async lastAppliedSequence() {
      const meta = await writer.viewMeta.findUniqueOrThrow({ where: { id: 1 } });
      return Number(meta.lastAppliedSequence);
    },

    async apply(batch) {
      return writer.$transaction(
        async (tx) => {
          const meta = await tx.viewMeta.findUniqueOrThrow({ where: { id: 1 } });
          const fresh = batch.filter((message) => message.sequence > Number(meta.lastAppliedSequence));
          const last = fresh.at(-1);
          if (!last) return { applied: [], duplicates: [] };
          const { applied, duplicates } = await withoutAppliedEvents(
            tx,
            fresh.flatMap((message) => (message.event ? [message.event] : [])),
          );
          const ticketIds = [...new Set(applied.flatMap((event) => (event.ticketId ? [event.ticketId] : [])))];
          await writeChanges(tx, applyEvents(await loadSlices(tx, ticketIds), applied));
          await tx.appliedEvent.createMany({ data: applied.map((event) => ({ id: event.id })) });
          await tx.viewMeta.update({ where: { id: 1 }, data: { lastAppliedSequence: BigInt(last.sequence) } });
          return { applied, duplicates };
        },
        { timeout: 60_000, maxWait: 60_000 },
      );
    },

    boards,

    async close() {
      boards.close();
      await writer.$disconnect();
    },
  };
}

async function withoutAppliedEvents(
  tx: Prisma.TransactionClient,
  events: EventEnvelope[],
): Promise<{ applied: EventEnvelope[]; duplicates: EventEnvelope[] }> {
  const seen = new Set(
    (await tx.appliedEvent.findMany({ where: { id: { in: events.map((e) => e.id) } } })).map((row) => row.id),
  );
  const applied: EventEnvelope[] = [];
  const duplicates: EventEnvelope[] = [];
  for (const event of events) {
    if (seen.has(event.id)) duplicates.push(event);
    else {
      seen.add(event.id);
      applied.push(event);
    }
  }
  return { applied, duplicates };
}

async function loadSlices(tx: Prisma.TransactionClient, ticketIds: string[]): Promise<TicketSlice[]> {
  const where = { ticketId: { in: ticketIds } };
  const [tickets, reservations, releasedHolds] = await Promise.all([
    tx.ticketEntry.findMany({ where }),
    tx.reservationEntry.findMany({ where }),
    tx.releasedHold.findMany({ where }),
  ]);
  return ticketIds.map((ticketId) => {
    const ticket = tickets.find((row) => row.ticketId === ticketId);
    return {
      ...emptySlice(ticketId),
      ticket: ticket ? toTicketEntry(ticket) : null,
      reservations: reservations.filter((row) => row.ticketId === ticketId).map(toReservationEntry),
      releasedHolds: releasedHolds.filter((row) => row.ticketId === ticketId).map((row) => row.reservationId),
    };
  });
}

async function writeChanges(tx: Prisma.TransactionClient, changes: BoardChanges): Promise<void> {
  if (changes.tickets.length > 0) {
    await tx.ticketEntry.deleteMany({ where: { ticketId: { in: changes.tickets.map((t) => t.ticketId) } } });
    await tx.ticketEntry.createMany({ data: changes.tickets.map(toTicketRow) });
  }
  if (changes.reservations.length > 0) {
    const ids = changes.reservations.map((r) => r.reservationId);
    await tx.reservationEntry.deleteMany({ where: { reservationId: { in: ids } } });
    await tx.reservationEntry.createMany({ data: changes.reservations.map(toReservationRow) });
  }
  if (changes.releasedHolds.length > 0) await tx.releasedHold.createMany({ data: changes.releasedHolds });
}
