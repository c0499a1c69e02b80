/** Demo tickets for a first `npm start`, registered through the domain so their events flow. */
import type { Caller } from '../../../ticketing/caller.ts';
import type { Logger } from '../../../platform/logging.ts';
import type { TicketDeps } from '../domain/ports.ts';
import { registerTicket } from '../domain/register-ticket.ts';

const seeder: Caller = { kind: 'user', userId: 'demo-seed', roles: ['ADMIN'], grade: 'NORMAL' };
const DAY = 24 * 60 * 60 * 1000;

const demoTickets = [
  { name: 'Symphony No. 9 — Seoul Arts Center, R seat', inDays: 30, basePrice: 150_000 },
  { name: 'Jazz Night — Blue Note, table for two', inDays: 14, basePrice: 90_000 },
  { name: 'K-League Final — Sangam, north stand', inDays: 45, basePrice: 40_000 },
  { name: 'Musical "Hero" — Blue Square, VIP seat', inDays: 60, basePrice: 170_000 },
  { name: 'Indie Rock Festival — day pass', inDays: 90, basePrice: 120_000 },
];

export async function seedDemoTickets(deps: TicketDeps, logger: Logger): Promise<void> {
  if ((await deps.tickets.count()) > 0) return;
  const now = deps.clock().getTime();
  for (const demo of demoTickets) {
    await registerTicket(
      deps,
      seeder,
      {
        name: demo.name,
        startsAt: new Date(now + demo.inDays * DAY),
        expiresAt: new Date(now + (demo.inDays + 1) * DAY),
        basePrice: demo.basePrice,
      },
      { correlationId: 'demo-seed', causationId: null },
    );
  }
  logger.info({ count: demoTickets.length }, 'registered demo tickets');
}
