/** The operations the benchmark sends: what a client of this API typically asks. */

/** Answered by the ticket subgraph alone: the ticket list as Sandbox's first example reads it. */
export const TICKET_LIST = /* GraphQL */ `
  query TicketList {
    tickets(first: 20) {
      edges {
        node {
          id
          name
          status
          startsAt
          expiresAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/** reservation → ticket → price: a user's reservations with each ticket and its price. */
export const MY_RESERVATIONS_FEDERATED = /* GraphQL */ `
  query MyReservations {
    myReservations(first: 10) {
      edges {
        node {
          id
          status
          reservedAt
          ticket {
            name
            status
            price {
              finalPrice
              vipDiscount
            }
          }
        }
      }
    }
  }
`;

export const RESERVE_TICKET = /* GraphQL */ `
  mutation ReserveTicket($ticketId: ID!) {
    reserveTicket(ticketId: $ticketId) {
      id
      status
    }
  }
`;
