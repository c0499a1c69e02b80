/**
 * The client operations a Relay app of this API would write: every connection paged forward and
 * backward with @connection, @refetchable fragments on Ticket and Reservation (refetched through
 * node(id)), and the README's mutations. relay-compiler compiles them against the committed API
 * schema into __generated__/ (see relay.config.json); the test runs them from there with
 * relay-runtime. Without Relay's Babel plugin these tags never run: only the compiler reads them.
 */
import { graphql } from 'relay-runtime';

export const tickets = graphql`
  fragment TicketList_query on Query
  @refetchable(queryName: "TicketListPaginationQuery")
  @argumentDefinitions(
    status: { type: "TicketStatus" }
    first: { type: "Int" }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
  ) {
    tickets(status: $status, first: $first, after: $after, last: $last, before: $before)
      @connection(key: "TicketList_tickets", filters: ["status"]) {
      edges {
        node {
          id
          ...TicketCard_ticket
        }
      }
    }
  }
`;

export const myReservations = graphql`
  fragment MyReservationList_query on Query
  @refetchable(queryName: "MyReservationListPaginationQuery")
  @argumentDefinitions(
    first: { type: "Int" }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
  ) {
    myReservations(first: $first, after: $after, last: $last, before: $before)
      @connection(key: "MyReservationList_myReservations") {
      edges {
        node {
          id
          ...ReservationCard_reservation
        }
      }
    }
  }
`;

export const ticketBoard = graphql`
  fragment TicketBoardList_query on Query
  @refetchable(queryName: "TicketBoardListPaginationQuery")
  @argumentDefinitions(
    first: { type: "Int" }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
  ) {
    ticketBoard(first: $first, after: $after, last: $last, before: $before)
      @connection(key: "TicketBoardList_ticketBoard") {
      edges {
        node {
          ticketId
          name
          status
          finalPrice
        }
      }
    }
  }
`;

export const reservationBoard = graphql`
  fragment ReservationBoardList_query on Query
  @refetchable(queryName: "ReservationBoardListPaginationQuery")
  @argumentDefinitions(
    first: { type: "Int" }
    after: { type: "String" }
    last: { type: "Int" }
    before: { type: "String" }
  ) {
    reservationBoard(first: $first, after: $after, last: $last, before: $before)
      @connection(key: "ReservationBoardList_reservationBoard") {
      edges {
        node {
          reservationId
          ticketName
          status
        }
      }
    }
  }
`;

export const ticketCard = graphql`
  fragment TicketCard_ticket on Ticket @refetchable(queryName: "TicketCardRefetchQuery") {
    id
    name
    status
    price {
      finalPrice
    }
  }
`;

export const reservationCard = graphql`
  fragment ReservationCard_reservation on Reservation @refetchable(queryName: "ReservationCardRefetchQuery") {
    id
    status
    userGrade
    ticket {
      id
      name
      status
    }
  }
`;

/** The app's first screens: each connection's first page, or (with last) its last one. */
export const ticketsPage = graphql`
  query TicketsPageQuery($first: Int, $last: Int) {
    ...TicketList_query @arguments(first: $first, last: $last)
  }
`;

export const myReservationsPage = graphql`
  query MyReservationsPageQuery($first: Int, $last: Int) {
    ...MyReservationList_query @arguments(first: $first, last: $last)
  }
`;

export const ticketBoardPage = graphql`
  query TicketBoardPageQuery($first: Int, $last: Int) {
    ...TicketBoardList_query @arguments(first: $first, last: $last)
  }
`;

export const reservationBoardPage = graphql`
  query ReservationBoardPageQuery($first: Int, $last: Int) {
    ...ReservationBoardList_query @arguments(first: $first, last: $last)
  }
`;

export const registerTicket = graphql`
  mutation RegisterTicketMutation($input: RegisterTicketInput!) {
    registerTicket(input: $input) {
      id
      name
      status
    }
  }
`;

export const reserveTicket = graphql`
  mutation ReserveTicketMutation($ticketId: ID!) {
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

export const cancelReservation = graphql`
  mutation CancelReservationMutation($id: ID!) {
    cancelReservation(id: $id) {
      id
      status
      cancelledAt
    }
  }
`;

export const setPricePolicy = graphql`
  mutation SetPricePolicyMutation($input: PricePolicyInput!) {
    setPricePolicy(input: $input) {
      id
      name
      active
    }
  }
`;
