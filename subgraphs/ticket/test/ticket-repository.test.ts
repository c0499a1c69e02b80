/** The PostgreSQL ticket repository obeys the rules its port promises, on a real database. */
import { afterAll, beforeAll } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { createTicketDatabase, type TicketDatabase } from '../data/prisma.ts';
import { createTicketRepository } from '../data/ticket-repository.ts';
import { describeTicketRepositoryContract } from './ticket-repository.contract.ts';

let database: TestDatabase;
let pool: pg.Pool;
let db: TicketDatabase;

beforeAll(async () => {
  database = await createTestDatabase('ticket');
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  db = createTicketDatabase(pool);
});

afterAll(async () => {
  await db?.$disconnect();
  await pool?.end();
  await database?.drop();
});

describeTicketRepositoryContract('PostgreSQL', async () => {
  await pool.query('TRUNCATE ticket, outbox_event, inbox_event, hold_record');
  return {
    repository: createTicketRepository(db, () => {}),
    async outboxEventIds() {
      const { rows } = await pool.query<{ id: string }>('SELECT id::text FROM outbox_event ORDER BY sequence');
      return rows.map((row) => row.id);
    },
  };
});
