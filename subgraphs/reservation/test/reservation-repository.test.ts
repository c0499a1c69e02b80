/** The PostgreSQL reservation repository obeys the rules its port promises, on a real database. */
import { afterAll, beforeAll } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { createReservationDatabase, type ReservationDatabase } from '../data/prisma.ts';
import { createReservationRepository } from '../data/reservation-repository.ts';
import { describeReservationRepositoryContract } from './reservation-repository.contract.ts';

let database: TestDatabase;
let pool: pg.Pool;
let db: ReservationDatabase;

beforeAll(async () => {
  database = await createTestDatabase('reservation');
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  db = createReservationDatabase(pool);
});

afterAll(async () => {
  await db?.$disconnect();
  await pool?.end();
  await database?.drop();
});

describeReservationRepositoryContract('PostgreSQL', async () => {
  await pool.query('TRUNCATE reservation, reservation_attempt, outbox_event');
  return {
    repository: createReservationRepository(db, () => {}),
    async outboxEventIds() {
      const { rows } = await pool.query<{ id: string }>('SELECT id::text FROM outbox_event ORDER BY sequence');
      return rows.map((row) => row.id);
    },
    async age(attemptId, ms) {
      await pool.query(
        `UPDATE reservation_attempt SET started_at = started_at - $2::int * interval '1 millisecond' WHERE id = $1::uuid`,
        [attemptId, ms],
      );
    },
  };
});
