/**
 * A fixed case: ticket is frozen (SIGSTOP) while a dozen users try to reserve one ticket at once.
 * The holds reservation sent pile up in ticket's socket, the calls time out and the breaker opens,
 * so every caller hears TICKET_SERVICE_UNAVAILABLE. Then ticket resumes (SIGCONT) and applies the
 * holds it had buffered. Nobody reserved the ticket, so it must be reservable again within the
 * pending-reservation bound, not held by a reservation that never existed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ServiceProcess } from '../system/launcher.ts';
import type { User, Workload } from './workload.ts';
import { registerTickets } from './workload.ts';

export interface CaseResult {
  name: string;
  passed: boolean;
  detail: string;
}

/** Slack on top of the saga's own bound, for a loaded machine (time to notice, not to tune). */
const SLACK_MS = 10_000;

async function ticketState(databaseUrl: string, ticketId: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ state: string; held_by: string | null }>(
      'SELECT state::text, held_by::text FROM ticket WHERE id = $1::uuid',
      [ticketId],
    );
    return rows[0] ? `${rows[0].state}${rows[0].held_by ? ` by ${rows[0].held_by}` : ''}` : undefined;
  } finally {
    await client.end();
  }
}

export async function runSigstopCase(options: {
  workload: Workload;
  gatewayUrl: string;
  adminToken: string;
  ticket: ServiceProcess;
  ticketDatabaseUrl: string;
  /** Thirteen users: a dozen for the burst, one to reserve afterwards. */
  users: User[];
  /** The pending-reservation timeout plus one sweep interval. */
  boundMs: number;
  log: (line: string) => void;
}): Promise<CaseResult> {
  const { workload, ticket, log } = options;
  const [ticketId] = await registerTickets(options.gatewayUrl, options.adminToken, 1, 'SIGSTOP case');
  const burst = options.users.slice(0, 12);
  const latecomer = options.users[12]!;

  ticket.signal('SIGSTOP');
  let answers;
  try {
    answers = await Promise.all(burst.map((user) => workload.reserve(user, ticketId!)));
  } finally {
    ticket.signal('SIGCONT');
  }
  const resumedAt = Date.now();
  const heard = answers.map((operation) => operation.code ?? operation.outcome);
  log(`case sigstop: the burst heard ${[...new Set(heard)].join(', ')}; ticket resumed`);
  if (answers.some((operation) => operation.outcome !== 'failed')) {
    // One of the burst may have won (or may have, unanswered): the ticket is then rightly held,
    // and the invariant checker judges it with the rest.
    return { name: 'sigstop', passed: true, detail: `the burst heard ${heard.join(', ')}; no fixed expectation` };
  }

  const deadline = resumedAt + options.boundMs + SLACK_MS;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const operation = await workload.reserve(latecomer, ticketId!);
    if (operation.outcome === 'ok') {
      const afterMs = Date.now() - resumedAt;
      return {
        name: 'sigstop',
        passed: true,
        detail: `all ${burst.length} refused; reservable again ${afterMs} ms after SIGCONT (bound ${options.boundMs} ms)`,
      };
    }
    if (Date.now() > deadline) {
      const state = await ticketState(options.ticketDatabaseUrl, ticketId!);
      return {
        name: 'sigstop',
        passed: false,
        detail:
          `all ${burst.length} refused, yet ${Math.round((Date.now() - resumedAt) / 1000)} s after SIGCONT ` +
          `the ticket is ${state} and ${attempts} reservations were refused (${operation.code})`,
      };
    }
    await sleep(250);
  }
}
