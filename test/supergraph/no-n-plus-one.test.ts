/**
 * No N+1 reads behind a federated query: each subgraph reads its database a fixed number of times
 * per request, however many entities the request resolves.
 *
 * How statements are counted: every subgraph runs in this process and reaches PostgreSQL through
 * node-postgres (Prisma's pg driver adapter), so wrapping `pg.Client.prototype.query` sees every
 * statement sent to the server, with the database it goes to. The outbox relay's polls (statements
 * on `outbox_event`, in transactions of their own) run on a timer whatever the requests do and are
 * left out, as are statements that only begin or end a transaction (the reads take none); the test
 * waits until the event consumers have nothing left to do before it counts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { graphql } from '../../operations/client.ts';
import {
  MyReservationsDocument,
  RegisterTicketDocument,
  ReserveTicketStatusDocument,
} from '../../operations/documents.generated.ts';
import { aTicket } from '../support/builders.ts';
import { eventually } from '../support/eventually.ts';
import { startTestSupergraph, type DatabaseSubgraph, type TestSupergraph } from '../support/supergraph.ts';
import { adminToken, tokenFor } from '../support/tokens.ts';

let supergraph: TestSupergraph;
let fewToken: string;
let manyToken: string;
const statements = new Map<string, number>();
let counting = false;
const originalQuery = pg.Client.prototype.query;
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SET LOCAL)\b/i;

beforeAll(async () => {
  pg.Client.prototype.query = function (this: pg.Client, config: any, ...rest: any[]) {
    const text: string = typeof config === 'string' ? config : (config?.text ?? '');
    if (counting && !text.includes('outbox_event') && !TRANSACTION_CONTROL.test(text)) {
      statements.set(this.database ?? '', (statements.get(this.database ?? '') ?? 0) + 1);
    }
    return (originalQuery as any).call(this, config, ...rest);
  } as typeof originalQuery;

  // The pending-reservation sweeper queries reservation's database on a timer whatever the
  // requests do; out of the way here, so only the requests' statements are counted.
  supergraph = await startTestSupergraph({ reservationEnv: { PENDING_RESERVATION_SWEEP_INTERVAL_MS: '600000' } });
  const admin = await adminToken();
  [fewToken, manyToken] = await Promise.all([
    tokenFor('few-reservations', { grade: 'VIP' }),
    tokenFor('many-reservations', { grade: 'VIP' }),
  ]);
  const reserveFresh = async (token: string) => {
    const registered = await graphql(supergraph.gatewayUrl, RegisterTicketDocument, {
      variables: { input: aTicket() },
      token: admin,
    });
    const ticketId = registered.data!.registerTicket.id;
    await eventually(async () => {
      const reserved = await graphql(supergraph.gatewayUrl, ReserveTicketStatusDocument, {
        variables: { ticketId },
        token,
      });
      expect(reserved.errors).toBeUndefined();
    });
  };
  for (let i = 0; i < 2; i++) await reserveFresh(fewToken);
  for (let i = 0; i < 12; i++) await reserveFresh(manyToken);
  // Quiet before counting: every price assigned and every VIP discount applied.
  for (const token of [fewToken, manyToken]) {
    await eventually(async () => {
      const result = await readReservations(token);
      expect(result.data!.myReservations.edges.every((edge) => (edge.node.ticket.price?.vipDiscount ?? 0) > 0)).toBe(
        true,
      );
    });
  }
});

afterAll(async () => {
  pg.Client.prototype.query = originalQuery;
  await supergraph?.stop();
});

/** Statements each subgraph sent to its database while `request` ran. */
async function statementsDuring(request: () => Promise<unknown>): Promise<Record<DatabaseSubgraph, number>> {
  statements.clear();
  counting = true;
  try {
    await request();
  } finally {
    counting = false;
  }
  const databaseOf = (url: string) => new URL(url).pathname.slice(1);
  const { databaseUrls } = supergraph;
  return {
    ticket: statements.get(databaseOf(databaseUrls.ticket)) ?? 0,
    reservation: statements.get(databaseOf(databaseUrls.reservation)) ?? 0,
    price: statements.get(databaseOf(databaseUrls.price)) ?? 0,
  };
}

/** Every reservation of the caller, each with its ticket, the ticket's price and the price's policy. */
const readReservations = (token: string) =>
  graphql(supergraph.gatewayUrl, MyReservationsDocument, { variables: { first: 50 }, token });

async function expectReservations(token: string, expected: number) {
  const result = await readReservations(token);
  expect(result.errors).toBeUndefined();
  expect(result.data!.myReservations.edges).toHaveLength(expected);
}

describe('a federated query across reservation, ticket and price', () => {
  it('reads each database a fixed number of times, for 2 entities as for 12 (no N+1)', async () => {
    const few = await statementsDuring(() => expectReservations(fewToken, 2));
    const many = await statementsDuring(() => expectReservations(manyToken, 12));

    expect(many).toEqual(few);
    // reservation: the page; ticket: the batch of tickets; price: the batch of prices joined with their policies.
    expect(many).toEqual({ reservation: 1, ticket: 1, price: 1 });
  });
});
