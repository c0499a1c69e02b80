import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../../prisma/reservation/client/client.ts';

export type ReservationDatabase = InstanceType<typeof PrismaClient>;

export function createReservationDatabase(url: string, poolSize: number): ReservationDatabase {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}
