import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../../prisma/ticket/client/client.ts';

export type TicketDatabase = InstanceType<typeof PrismaClient>;

export function createTicketDatabase(url: string, poolSize: number): TicketDatabase {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}
