/** The PostgreSQL reservation repository obeys the rules its port promises, on a real database. */
import { keyedReads } from '../../../platform/database/keyed-reads.ts';
import { useTestDatabase } from '../../../test/support/databases.ts';
import { createReservationDatabase } from '../data/prisma.ts';
import { createReservationRepository } from '../data/reservation-repository.ts';
import { describeReservationRepositoryContract } from './reservation-repository.contract.ts';

const suite = useTestDatabase('reservation', createReservationDatabase);

describeReservationRepositoryContract('PostgreSQL', async () => {
  await suite.pool.query('TRUNCATE reservation, reservation_attempt, outbox_event');
  return {
    repository: createReservationRepository(suite.db, () => {}, keyedReads(suite.pool)),
    async outboxEventIds() {
      const { rows } = await suite.pool.query<{ id: string }>('SELECT id::text FROM outbox_event ORDER BY sequence');
      return rows.map((row) => row.id);
    },
    async age(attemptId, ms) {
      await suite.pool.query(
        `UPDATE reservation_attempt SET started_at = started_at - $2::int * interval '1 millisecond' WHERE id = $1::uuid`,
        [attemptId, ms],
      );
    },
  };
});
