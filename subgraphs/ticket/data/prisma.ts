import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from '../../../prisma/ticket/client/client.ts';

export type TicketDatabase = InstanceType<typeof PrismaClient>;

/** The pool is the process's: it is measured (db_pool_connections) and closed at stop. */
export function createTicketDatabase(pool: pg.Pool): TicketDatabase {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
