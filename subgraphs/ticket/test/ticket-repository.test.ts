/** The PostgreSQL ticket repository obeys the rules its port promises, on a real database. */
import { keyedReads } from '../../../platform/database/keyed-reads.ts';
import { useTestDatabase } from '../../../test/support/databases.ts';
import { createTicketDatabase } from '../data/prisma.ts';
import { createTicketRepository } from '../data/ticket-repository.ts';
import { describeTicketRepositoryContract } from './ticket-repository.contract.ts';

const suite = useTestDatabase('ticket', createTicketDatabase);

describeTicketRepositoryContract('PostgreSQL', async () => {
  await suite.pool.query('TRUNCATE ticket, outbox_event, inbox_event, hold_record');
  return {
    repository: createTicketRepository(suite.db, () => {}, keyedReads(suite.pool)),
    async outboxEventIds() {
      const { rows } = await suite.pool.query<{ id: string }>('SELECT id::text FROM outbox_event ORDER BY sequence');
      return rows.map((row) => row.id);
    },
  };
});
