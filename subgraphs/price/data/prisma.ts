import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../../prisma/price/client/client.ts';

export type PriceDatabase = InstanceType<typeof PrismaClient>;

export function createPriceDatabase(url: string, poolSize: number): PriceDatabase {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}
