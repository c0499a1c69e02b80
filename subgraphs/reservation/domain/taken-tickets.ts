/**
 * What this replica knows of tickets taken a moment ago, so that the crowd behind the first press
 * of a flash sale is refused without each storing an attempt, calling ticket and deleting the
 * attempt again (a loser's answer cost as much as a winner's: `npm run bench`, entry flash-sale).
 *
 * - While one attempt of this replica asks ticket for a ticket, the others for the same ticket wait
 *   for its answer. If the ticket turned out taken (the hold succeeded, or ticket refused it as
 *   unavailable), they are refused at once; after any other answer they all ask ticket themselves.
 * - A ticket seen taken stays known taken for `lifetimeMs`: later attempts are refused from memory.
 *   This replica forgets a ticket at once when it frees it itself (a cancellation, an abandoned
 *   attempt); one freed elsewhere (another replica, an administrator's release) is offered again
 *   once its memory lapses.
 *
 * It only ever refuses: no ticket is held on its word, so it cannot sell a seat twice or lose one.
 * Every refusal repeats what ticket answered to this replica at most `lifetimeMs` earlier
 * (docs/decisions/0016-taken-tickets-refused-from-memory.md).
 */

export interface TakenTickets {
  /**
   * Waits while another attempt of this replica asks ticket for this ticket. Resolves 'taken' when
   * the ticket is known taken (the caller refuses without asking), otherwise a turn that the caller
   * ends with its hold's answer, whatever happens.
   */
  takeTurn(ticketId: string): Promise<Turn | 'taken'>;
  /** This replica is freeing the ticket (its reservation cancelled, its attempt abandoned). */
  forget(ticketId: string): void;
}

/** An attempt's turn to ask ticket for a ticket. */
export interface Turn {
  /**
   * 'taken': the hold succeeded, or ticket refused it as unavailable. 'other': any other answer
   * (another refusal, a failure, no answer, or no hold sent): nothing is learnt.
   */
  end(answer: 'taken' | 'other'): void;
}

export interface TakenTicketMemoryOptions {
  /** How long a ticket seen taken is refused from memory, in ms. 0 turns all of it off. */
  lifetimeMs: number;
  /** Tickets remembered at most; the oldest go first. */
  maxEntries: number;
  /** Milliseconds on a monotonic clock; injected by tests. */
  now?: () => number;
}

/** The turn of an attempt that waited for no one and that nobody waits for. */
export const UNCOORDINATED: Turn = { end: () => {} };

export function createTakenTicketMemory(options: TakenTicketMemoryOptions): TakenTickets {
  const now = options.now ?? (() => performance.now());
  /** Ticket id → when its memory lapses; in the order they were remembered. */
  const takenUntil = new Map<string, number>();
  /** Ticket id → the answer of the turn in progress for it. */
  const turns = new Map<string, Promise<'taken' | 'other'>>();
  const off = options.lifetimeMs === 0 || options.maxEntries === 0;

  function isKnownTaken(ticketId: string): boolean {
    const until = takenUntil.get(ticketId);
    if (until === undefined) return false;
    if (until > now()) return true;
    takenUntil.delete(ticketId);
    return false;
  }

  function rememberTaken(ticketId: string): void {
    // Deleted first, so that a ticket remembered again moves to the end of the eviction order.
    takenUntil.delete(ticketId);
    if (takenUntil.size >= options.maxEntries) takenUntil.delete(takenUntil.keys().next().value!);
    takenUntil.set(ticketId, now() + options.lifetimeMs);
  }

  return {
    async takeTurn(ticketId) {
      if (off) return UNCOORDINATED;
      if (isKnownTaken(ticketId)) return 'taken';
      const inProgress = turns.get(ticketId);
      if (inProgress) {
        // Forgotten meanwhile (this replica freed it): the answer no longer holds, so ask again.
        return (await inProgress) === 'taken' && isKnownTaken(ticketId) ? 'taken' : UNCOORDINATED;
      }
      let answered!: (answer: 'taken' | 'other') => void;
      const answer = new Promise<'taken' | 'other'>((resolve) => (answered = resolve));
      turns.set(ticketId, answer);
      let ended = false;
      return {
        end(result) {
          if (ended) return;
          ended = true;
          if (result === 'taken') rememberTaken(ticketId);
          turns.delete(ticketId);
          answered(result);
        },
      };
    },
    forget(ticketId) {
      takenUntil.delete(ticketId);
    },
  };
}
