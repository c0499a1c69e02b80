/**
 * A Relay client against the real gateway. relay-compiler compiles the client project in
 * test/clients/relay against the committed API schema (a schema that breaks Relay's conventions
 * fails here), then relay-runtime runs the compiled operations: every connection paged to its end
 * forward and backward through @connection's store handler, Ticket and Reservation refetched
 * through node(id), and the README's mutations updating the normalized store.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  commitMutation,
  createOperationDescriptor,
  Environment,
  fetchQuery,
  getRequest,
  getSingularSelector,
  Network,
  RecordSource,
  Store,
  type ConcreteRequest,
  type GraphQLResponse,
  type ReaderFragment,
} from 'relay-runtime';
import { aTicket } from '../support/builders.ts';
import { codesOf, startClientWorld, type ClientWorld } from './world.ts';

const PROJECT = path.join(import.meta.dirname, 'relay');
const RELAY_COMPILER = path.join(import.meta.dirname, '../../node_modules/.bin/relay-compiler');

let world: ClientWorld;

/** A compiled artifact, loaded by name (the artifacts import each other without extensions, as Relay writes them). */
async function artifact<T extends ConcreteRequest | ReaderFragment>(name: string): Promise<T> {
  const module = (await import(path.join(PROJECT, 'src/__generated__', `${name}.graphql.ts`))) as { default: T };
  return module.default;
}

interface RelayClient {
  environment: Environment;
  /** The errors of every response so far, in order. */
  errors: { extensions?: Record<string, unknown> }[];
}

function relayClient(token?: string): RelayClient {
  const errors: RelayClient['errors'] = [];
  const network = Network.create(async (request, variables) => {
    const response = await fetch(world.supergraph.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: request.text, variables }),
    });
    const body = (await response.json()) as GraphQLResponse & { errors?: RelayClient['errors'] };
    errors.push(...(body.errors ?? []));
    return body;
  });
  return { environment: new Environment({ network, store: new Store(new RecordSource()) }), errors };
}

/** Runs a query and keeps its data in the store (retained, so garbage collection cannot take it). */
async function query(client: RelayClient, request: ConcreteRequest, variables: Record<string, unknown>) {
  client.environment.retain(createOperationDescriptor(getRequest(request), variables));
  return fetchQuery(client.environment, request, variables).toPromise();
}

function read<T>(client: RelayClient, fragment: ReaderFragment, ref: unknown): T {
  return client.environment.lookup(getSingularSelector(fragment, ref)).data as T;
}

interface Connection {
  edges: { node: Record<string, unknown> }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * What usePaginationFragment does: the first page (or the last), then loadNext (loadPrevious)
 * with the refetchable pagination query until the connection says there is no more. Relay's
 * connection handler merges each page into the one connection the fragment reads.
 */
async function pageToTheEnd(
  client: RelayClient,
  names: { page: string; pagination: string; fragment: string; field: string },
  direction: 'forward' | 'backward',
  size: number,
): Promise<Connection['edges'][number]['node'][]> {
  const [page, pagination, fragment] = await Promise.all([
    artifact<ConcreteRequest>(names.page),
    artifact<ConcreteRequest>(names.pagination),
    artifact<ReaderFragment>(names.fragment),
  ]);
  const root = await query(client, page, direction === 'forward' ? { first: size } : { last: size });
  const connection = () => read<Record<string, Connection>>(client, fragment, root)[names.field]!;
  for (let pages = 1; pages < 50; pages++) {
    const { pageInfo } = connection();
    if (direction === 'forward' ? !pageInfo.hasNextPage : !pageInfo.hasPreviousPage) {
      return connection().edges.map((edge) => edge.node);
    }
    await query(
      client,
      pagination,
      direction === 'forward'
        ? { first: size, after: pageInfo.endCursor, last: null, before: null }
        : { last: size, before: pageInfo.startCursor, first: null, after: null },
    );
  }
  throw new Error('paging did not end');
}

function mutate(client: RelayClient, request: ConcreteRequest, variables: Record<string, unknown>) {
  return new Promise<unknown>((resolve, reject) => {
    commitMutation(client.environment, {
      mutation: request,
      variables,
      onCompleted: (response, errors) =>
        errors?.length ? reject(new Error(JSON.stringify(errors))) : resolve(response),
      onError: reject,
    });
  });
}

beforeAll(async () => {
  world = await startClientWorld('relay-user');
});

afterAll(async () => {
  await world?.supergraph.stop();
});

describe('relay-compiler', () => {
  it('compiles the client project against the committed API schema, and its committed artifacts are current', async () => {
    // --validate fails on any compile error and on artifacts that differ from what it would write.
    const { stdout, stderr } = await promisify(execFile)(RELAY_COMPILER, ['--validate'], { cwd: PROJECT });
    expect(`${stdout}${stderr}`).not.toMatch(/ERROR/);
  });
});

describe('paging every connection with Relay', () => {
  const connections = [
    {
      page: 'TicketsPageQuery',
      pagination: 'TicketListPaginationQuery',
      fragment: 'TicketList_query',
      field: 'tickets',
      id: 'id',
      expected: 'tickets',
      token: 'none',
    },
    {
      page: 'MyReservationsPageQuery',
      pagination: 'MyReservationListPaginationQuery',
      fragment: 'MyReservationList_query',
      field: 'myReservations',
      id: 'id',
      expected: 'myReservations',
      token: 'owner',
    },
    {
      page: 'TicketBoardPageQuery',
      pagination: 'TicketBoardListPaginationQuery',
      fragment: 'TicketBoardList_query',
      field: 'ticketBoard',
      id: 'ticketId',
      expected: 'ticketBoard',
      token: 'none',
    },
    {
      page: 'ReservationBoardPageQuery',
      pagination: 'ReservationBoardListPaginationQuery',
      fragment: 'ReservationBoardList_query',
      field: 'reservationBoard',
      id: 'reservationId',
      expected: 'reservationBoard',
      token: 'owner',
    },
  ] as const;

  describe.each(connections)('$field', (connection) => {
    it.each(['forward', 'backward'] as const)(
      'pages %s to the end, two at a time, with no item missing or repeated',
      async (direction) => {
        const client = relayClient(connection.token === 'owner' ? world.tokens.owner : undefined);

        const nodes = await pageToTheEnd(client, connection, direction, 2);

        expect(nodes.map((node) => node[connection.id])).toEqual(world.expected[connection.expected]);
        expect(client.errors).toEqual([]);
      },
    );
  });

  it('sees BAD_USER_INPUT naming the argument for a size out of range or first with last', async () => {
    const client = relayClient();
    const pagination = await artifact<ConcreteRequest>('TicketListPaginationQuery');

    await expect(query(client, pagination, { first: 0 })).rejects.toThrow();
    await expect(query(client, pagination, { first: 2, last: 2 })).rejects.toThrow();

    expect(client.errors.map((error) => [error.extensions?.code, error.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', 'first'],
      ['BAD_USER_INPUT', 'last'],
    ]);
  });
});

describe('refetching through node(id) with Relay', () => {
  it('refetches a ticket with its @refetchable fragment, anonymously', async () => {
    const client = relayClient();
    const [refetch, fragment] = await Promise.all([
      artifact<ConcreteRequest>('TicketCardRefetchQuery'),
      artifact<ReaderFragment>('TicketCard_ticket'),
    ]);
    const ticketId = world.expected.tickets[0]!;

    const data = (await query(client, refetch, { id: ticketId })) as { node: unknown };

    expect(read(client, fragment, data.node)).toMatchObject({ id: ticketId, status: 'RESERVED' });
  });

  it('refetches a reservation for its owner; another user sees FORBIDDEN and anonymous UNAUTHENTICATED, as through reservation(id)', async () => {
    const refetch = await artifact<ConcreteRequest>('ReservationCardRefetchQuery');
    const fragment = await artifact<ReaderFragment>('ReservationCard_reservation');
    const reservationId = world.expected.myReservations[0]!;

    const owner = relayClient(world.tokens.owner);
    const data = (await query(owner, refetch, { id: reservationId })) as { node: unknown };
    expect(read(owner, fragment, data.node)).toMatchObject({
      id: reservationId,
      status: 'CONFIRMED',
      userGrade: 'VIP',
    });

    for (const [token, code] of [
      [world.tokens.otherUser, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      const client = relayClient(token);
      const result = (await query(client, refetch, { id: reservationId }).catch(() => ({ node: null }))) as {
        node: unknown;
      };
      expect(result?.node ?? null).toBeNull();
      expect(codesOf(client.errors)).toEqual([code]);
    }
  });
});

describe("the README's mutations with Relay", () => {
  it('registers, reserves (the store updates the ticket to RESERVED), cancels, and sets a policy; refusals carry their codes', async () => {
    const admin = relayClient(world.tokens.admin);
    const user = relayClient(world.tokens.owner);
    const [register, reserve, cancel, policy, refetch, card] = await Promise.all([
      artifact<ConcreteRequest>('RegisterTicketMutation'),
      artifact<ConcreteRequest>('ReserveTicketMutation'),
      artifact<ConcreteRequest>('CancelReservationMutation'),
      artifact<ConcreteRequest>('SetPricePolicyMutation'),
      artifact<ConcreteRequest>('TicketCardRefetchQuery'),
      artifact<ReaderFragment>('TicketCard_ticket'),
    ]);

    const registered = (await mutate(admin, register, { input: aTicket() })) as { registerTicket: { id: string } };
    const ticketId = registered.registerTicket.id;
    const shown = (await query(user, refetch, { id: world.freeTicketId })) as { node: unknown };
    expect(read(user, card, shown.node)).toMatchObject({ status: 'AVAILABLE' });

    const reserved = (await mutate(user, reserve, { ticketId: world.freeTicketId })) as {
      reserveTicket: { id: string };
    };
    // The mutation's payload normalized into the store: the card read before shows RESERVED, no refetch.
    expect(read(user, card, shown.node)).toMatchObject({ status: 'RESERVED' });

    await expect(mutate(user, reserve, { ticketId: world.freeTicketId })).rejects.toThrow();
    await expect(mutate(user, register, { input: aTicket() })).rejects.toThrow();
    expect(codesOf(user.errors)).toEqual(['TICKET_NOT_AVAILABLE', 'FORBIDDEN']);

    expect(await mutate(user, cancel, { id: reserved.reserveTicket.id })).toMatchObject({
      cancelReservation: { status: 'CANCELLED' },
    });
    expect(
      await mutate(admin, policy, {
        input: { name: `relay-${ticketId}`, discountPercent: 5, vipDiscountPercent: 5, active: false },
      }),
    ).toMatchObject({ setPricePolicy: { active: false } });
  });
});
