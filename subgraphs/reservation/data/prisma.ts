import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from '../../../prisma/reservation/client/client.ts';

export type ReservationDatabase = InstanceType<typeof PrismaClient>;

/** The pool is the process's: it is measured (db_pool_connections) and closed at stop. */
export function createReservationDatabase(pool: pg.Pool): ReservationDatabase {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
