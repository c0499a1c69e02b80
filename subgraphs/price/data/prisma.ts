import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from '../../../prisma/price/client/client.ts';

export type PriceDatabase = InstanceType<typeof PrismaClient>;

/** The pool is the process's: it is measured (db_pool_connections) and closed at stop. */
export function createPriceDatabase(pool: pg.Pool): PriceDatabase {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
