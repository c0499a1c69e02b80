/** The in-memory fake of the domain tests obeys the reservation repository's rules. */
import { InMemoryReservationRepository } from './in-memory-reservation-repository.ts';
import { describeReservationRepositoryContract } from './reservation-repository.contract.ts';

describeReservationRepositoryContract('in memory', async () => {
  const reservations = new InMemoryReservationRepository();
  return {
    repository: reservations,
    outboxEventIds: async () => reservations.outbox.map((event) => event.id),
    async age(attemptId, ms) {
      const pending = reservations.attempts.get(attemptId);
      if (pending) pending.startedAt -= ms;
    },
  };
});
