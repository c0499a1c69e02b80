/** The in-memory fake of the domain tests obeys the ticket repository's rules. */
import { describeTicketRepositoryContract } from './ticket-repository.contract.ts';
import { InMemoryTicketRepository } from './in-memory-ticket-repository.ts';

// One instant for every registration: the listing order then rests on the id tie-break alone.
const REGISTERED_AT = new Date('2030-06-01T12:00:00.000Z');

describeTicketRepositoryContract('in memory', async () => {
  const tickets = new InMemoryTicketRepository(() => REGISTERED_AT);
  return { repository: tickets, outboxEventIds: async () => tickets.outbox.map((event) => event.id) };
});
