/** The client operations the end-to-end tests send through the gateway. */
export const REGISTER_TICKET = /* GraphQL */ `
  mutation RegisterTicket($input: RegisterTicketInput!) {
    registerTicket(input: $input) {
      id
      name
      status
      startsAt
      expiresAt
      createdAt
      updatedAt
    }
  }
`;

export const TICKET = /* GraphQL */ `
  query Ticket($id: ID!) {
    ticket(id: $id) {
      id
      name
      status
      price {
        ticketId
        currency
        basePrice
        policyDiscount
        vipDiscount
        finalPrice
        policy {
          name
          discountPercent
        }
      }
    }
  }
`;

export const TICKETS = /* GraphQL */ `
  query Tickets($status: TicketStatus, $first: Int, $after: String) {
    tickets(status: $status, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          name
          status
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const PRICE = /* GraphQL */ `
  query Price($ticketId: ID!) {
    price(ticketId: $ticketId) {
      ticketId
      basePrice
      policyDiscount
      vipDiscount
      finalPrice
      currency
    }
  }
`;

export const PRICE_POLICIES = /* GraphQL */ `
  query PricePolicies {
    pricePolicies {
      id
      name
      discountPercent
      vipDiscountPercent
      active
    }
  }
`;

export const SET_PRICE_POLICY = /* GraphQL */ `
  mutation SetPricePolicy($input: PricePolicyInput!) {
    setPricePolicy(input: $input) {
      id
      name
      discountPercent
      vipDiscountPercent
      active
    }
  }
`;

export const RESERVE_TICKET = /* GraphQL */ `
  mutation ReserveTicket($ticketId: ID!) {
    reserveTicket(ticketId: $ticketId) {
      id
      userId
      userGrade
      status
      reservedAt
      cancelledAt
      ticket {
        id
        status
      }
    }
  }
`;

export const CANCEL_RESERVATION = /* GraphQL */ `
  mutation CancelReservation($id: ID!) {
    cancelReservation(id: $id) {
      id
      status
      cancelledAt
    }
  }
`;

export const RESERVATION = /* GraphQL */ `
  query Reservation($id: ID!) {
    reservation(id: $id) {
      id
      userId
      status
      ticket {
        id
        name
        status
      }
    }
  }
`;

export const MY_RESERVATIONS = /* GraphQL */ `
  query MyReservations($status: ReservationStatus, $first: Int, $after: String) {
    myReservations(status: $status, first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          status
          userGrade
          ticket {
            id
            name
            status
            price {
              finalPrice
              vipDiscount
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const TICKET_BOARD = /* GraphQL */ `
  query TicketBoard($status: TicketStatus, $first: Int, $after: String) {
    ticketBoard(status: $status, first: $first, after: $after) {
      edges {
        cursor
        node {
          ticketId
          name
          status
          startsAt
          expiresAt
          currency
          basePrice
          policyDiscount
          vipDiscount
          finalPrice
          updatedAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const RESERVATION_BOARD = /* GraphQL */ `
  query ReservationBoard($userId: ID, $first: Int, $after: String) {
    reservationBoard(userId: $userId, first: $first, after: $after) {
      edges {
        cursor
        node {
          reservationId
          ticketId
          ticketName
          userId
          userGrade
          status
          reservedAt
          cancelledAt
          currency
          finalPrice
          vipDiscount
          updatedAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
