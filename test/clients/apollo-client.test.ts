/**
 * Apollo Client (in Node, no React) against the real gateway: every connection paged to its end
 * forward and backward through relayStylePagination's cache merge, objects refetched through
 * node(id), and the README's mutations updating the normalized cache.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloClient, CombinedGraphQLErrors, gql, HttpLink, InMemoryCache, type DocumentNode } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { aTicket } from '../support/builders.ts';
import { codesOf, startClientWorld, type ClientWorld } from './world.ts';

let world: ClientWorld;

function apolloClient(token?: string) {
  return new ApolloClient({
    link: new HttpLink({
      uri: world.supergraph.gatewayUrl,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    }),
    cache: new InMemoryCache({
      possibleTypes: { Node: ['Ticket', 'Reservation'] },
      typePolicies: {
        Query: {
          fields: {
            tickets: relayStylePagination(['status']),
            myReservations: relayStylePagination(['status']),
            ticketBoard: relayStylePagination(['status']),
            reservationBoard: relayStylePagination(['userId']),
          },
        },
      },
    }),
  });
}

type Client = ReturnType<typeof apolloClient>;

/** The errors' codes of a result's error (none when it has none). */
function codesOfError(error: unknown): unknown[] {
  return CombinedGraphQLErrors.is(error) ? codesOf(error.errors) : error ? ['not a GraphQL error'] : [];
}

const connectionQuery = (field: string, node: string): DocumentNode => gql`
  query Connection($first: Int, $after: String, $last: Int, $before: String) {
    ${field}(first: $first, after: $after, last: $last, before: $before) {
      edges {
        cursor
        node { ${node} }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

interface Connection {
  edges: { cursor: string; node: Record<string, string> }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * What fetchMore does: the first page (or the last), then the next (previous) one from its cursor
 * until there is no more; relayStylePagination merges each into the one cached connection.
 */
async function pageToTheEnd(client: Client, field: string, query: DocumentNode, direction: 'forward' | 'backward') {
  let variables: Record<string, unknown> = direction === 'forward' ? { first: 2 } : { last: 2 };
  for (let pages = 1; pages < 50; pages++) {
    const { data, error } = await client.query<Record<string, Connection>>({
      query,
      variables,
      fetchPolicy: 'network-only',
    });
    expect(error).toBeUndefined();
    const { pageInfo } = data![field]!;
    const more = direction === 'forward' ? pageInfo.hasNextPage : pageInfo.hasPreviousPage;
    if (!more) return client.readQuery<Record<string, Connection>>({ query })![field]!;
    variables =
      direction === 'forward' ? { first: 2, after: pageInfo.endCursor } : { last: 2, before: pageInfo.startCursor };
  }
  throw new Error('paging did not end');
}

beforeAll(async () => {
  world = await startClientWorld('apollo-user');
});

afterAll(async () => {
  await world?.supergraph.stop();
});

describe('paging every connection with Apollo Client', () => {
  const connections = [
    { field: 'tickets', id: 'id', node: 'id name status', expected: 'tickets', token: 'none' },
    { field: 'myReservations', id: 'id', node: 'id status', expected: 'myReservations', token: 'owner' },
    { field: 'ticketBoard', id: 'ticketId', node: 'ticketId name status', expected: 'ticketBoard', token: 'none' },
    {
      field: 'reservationBoard',
      id: 'reservationId',
      node: 'reservationId status',
      expected: 'reservationBoard',
      token: 'owner',
    },
  ] as const;

  describe.each(connections)('$field', (connection) => {
    it.each(['forward', 'backward'] as const)(
      'pages %s to the end into one cached connection, with no item missing or repeated',
      async (direction) => {
        const client = apolloClient(connection.token === 'owner' ? world.tokens.owner : undefined);
        const query = connectionQuery(connection.field, connection.node);

        const merged = await pageToTheEnd(client, connection.field, query, direction);

        expect(merged.edges.map((edge) => edge.node[connection.id])).toEqual(world.expected[connection.expected]);
      },
    );
  });

  it('sees BAD_USER_INPUT naming the argument for a bad cursor, and for last with after', async () => {
    const client = apolloClient();
    const query = connectionQuery('tickets', 'id');

    const badCursor = await client.query({ query, variables: { first: 2, after: 'nope' }, errorPolicy: 'all' });
    const mixed = await client.query({ query, variables: { last: 2, after: 'nope' }, errorPolicy: 'all' });

    for (const [result, field] of [
      [badCursor, 'after'],
      [mixed, 'after'],
    ] as const) {
      expect(codesOfError(result.error)).toEqual(['BAD_USER_INPUT']);
      expect(CombinedGraphQLErrors.is(result.error) && result.error.errors[0]?.extensions?.field).toBe(field);
    }
  });
});

const nodeQuery = gql`
  query Node($id: ID!) {
    node(id: $id) {
      id
      ... on Ticket {
        name
        ticketStatus: status
      }
      ... on Reservation {
        reservationStatus: status
        ticket {
          id
        }
      }
    }
  }
`;

const nodesQuery = gql`
  query Nodes($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      id
    }
  }
`;

describe('looking objects up through node(id) with Apollo Client', () => {
  it('finds a ticket and a reservation by id alone, each as its own type', async () => {
    const client = apolloClient(world.tokens.owner);
    const [ticketId, reservationId] = [world.expected.tickets[0]!, world.expected.myReservations[0]!];

    const ticket = await client.query({ query: nodeQuery, variables: { id: ticketId } });
    const reservation = await client.query({ query: nodeQuery, variables: { id: reservationId } });
    const both = await client.query({ query: nodesQuery, variables: { ids: [reservationId, ticketId] } });

    expect(ticket.data).toMatchObject({ node: { __typename: 'Ticket', id: ticketId, ticketStatus: 'RESERVED' } });
    expect(reservation.data).toMatchObject({
      node: { __typename: 'Reservation', id: reservationId, reservationStatus: 'CONFIRMED' },
    });
    expect(both.data).toMatchObject({
      nodes: [
        { __typename: 'Reservation', id: reservationId },
        { __typename: 'Ticket', id: ticketId },
      ],
    });
  });

  it("answers another user's reservation with FORBIDDEN and null, an unknown id with null, a malformed one with BAD_USER_INPUT", async () => {
    const client = apolloClient(world.tokens.otherUser);
    const reservationId = world.expected.myReservations[0]!;

    const forbidden = await client.query({ query: nodeQuery, variables: { id: reservationId }, errorPolicy: 'all' });
    const unknown = await client.query({ query: nodeQuery, variables: { id: crypto.randomUUID() } });
    const malformed = await client.query({ query: nodeQuery, variables: { id: 'nope' }, errorPolicy: 'all' });
    const mixed = await client.query({
      query: nodesQuery,
      variables: { ids: [world.expected.tickets[0]!, reservationId] },
      errorPolicy: 'all',
    });

    expect((forbidden.data as { node?: unknown } | undefined)?.node ?? null).toBeNull();
    expect(codesOfError(forbidden.error)).toEqual(['FORBIDDEN']);
    expect(unknown.data).toEqual({ node: null });
    expect(codesOfError(malformed.error)).toEqual(['BAD_USER_INPUT']);
    // One refused id costs only its own place in the list.
    expect(mixed.data).toMatchObject({ nodes: [{ __typename: 'Ticket' }, null] });
    expect(codesOfError(mixed.error)).toEqual(['FORBIDDEN']);
  });
});

describe("the README's mutations with Apollo Client", () => {
  const ticketQuery = gql`
    query Ticket($id: ID!) {
      ticket(id: $id) {
        id
        name
        status
      }
    }
  `;
  const reserve = gql`
    mutation Reserve($ticketId: ID!) {
      reserveTicket(ticketId: $ticketId) {
        id
        status
        userGrade
        reservedAt
        ticket {
          id
          name
          status
        }
      }
    }
  `;
  const cancel = gql`
    mutation Cancel($id: ID!) {
      cancelReservation(id: $id) {
        id
        status
        cancelledAt
      }
    }
  `;
  const register = gql`
    mutation Register($input: RegisterTicketInput!) {
      registerTicket(input: $input) {
        id
        name
        status
      }
    }
  `;
  const policy = gql`
    mutation Policy($input: PricePolicyInput!) {
      setPricePolicy(input: $input) {
        id
        name
        active
      }
    }
  `;

  it('reserveTicket updates the cached ticket to RESERVED without a refetch; cancel, register and policy work; refusals carry their codes', async () => {
    const user = apolloClient(world.tokens.owner);
    const admin = apolloClient(world.tokens.admin);
    const registered = await admin.mutate({ mutation: register, variables: { input: aTicket() } });
    const ticketId = (registered.data as { registerTicket: { id: string } }).registerTicket.id;
    await user.query({ query: ticketQuery, variables: { id: ticketId } });

    const reserved = await user.mutate({ mutation: reserve, variables: { ticketId } });

    const cached = user.readQuery<{ ticket: { status: string } }>({ query: ticketQuery, variables: { id: ticketId } });
    expect(cached?.ticket.status).toBe('RESERVED');

    const again = await user.mutate({ mutation: reserve, variables: { ticketId }, errorPolicy: 'all' });
    expect(codesOfError(again.error)).toEqual(['TICKET_NOT_AVAILABLE']);
    const notAdmin = await user.mutate({ mutation: register, variables: { input: aTicket() }, errorPolicy: 'all' });
    expect(codesOfError(notAdmin.error)).toEqual(['FORBIDDEN']);

    const reservationId = (reserved.data as { reserveTicket: { id: string } }).reserveTicket.id;
    const cancelled = await user.mutate({ mutation: cancel, variables: { id: reservationId } });
    expect(cancelled.data).toMatchObject({ cancelReservation: { id: reservationId, status: 'CANCELLED' } });
    const twice = await user.mutate({ mutation: cancel, variables: { id: reservationId }, errorPolicy: 'all' });
    expect(codesOfError(twice.error)).toEqual(['RESERVATION_ALREADY_CANCELLED']);

    const input = { name: `apollo-${ticketId}`, discountPercent: 5, vipDiscountPercent: 5, active: false };
    expect((await admin.mutate({ mutation: policy, variables: { input } })).data).toMatchObject({
      setPricePolicy: { name: input.name, active: false },
    });
  });
});
