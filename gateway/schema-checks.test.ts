import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { API_SCHEMA_PATH, SUPERGRAPH_PATH, composeSupergraph } from './composition.ts';
import {
  ACKNOWLEDGEMENTS_PATH,
  InvalidAcknowledgements,
  chooseBaseRef,
  findBreakingChanges,
  findExposedInternalMutations,
  findStaleArtifacts,
  internalTicketMutations,
  parseAcknowledgements,
  unacknowledged,
  validateTicketHoldContract,
} from './schema-checks.ts';

const BASE_API = /* GraphQL */ `
  type Ticket {
    id: ID!
    name: String!
    updatedAt: String!
  }
  type Query {
    ticket(id: ID!): Ticket
    tickets(first: Int): [Ticket!]!
  }
`;

const FIELD_REMOVED_MESSAGE = "Field 'updatedAt' was removed from object type 'Ticket'";

const HOLD_WITH_MISSPELLED_FIELD = /* GraphQL */ `
  mutation HoldTicket($ticketId: ID!, $reservationId: ID!) {
    holdTicket(ticketId: $ticketId, reservationId: $reservationId) {
      ticketId
      reservationID
      status
    }
  }
`;

describe('breaking changes in the client-facing API', () => {
  it('when a field is removed from the API schema, it is a breaking change', async () => {
    const changes = await findBreakingChanges(BASE_API, BASE_API.replace('updatedAt: String!', ''));

    expect(changes.map((change) => change.message)).toEqual([FIELD_REMOVED_MESSAGE]);
  });

  it('making an optional argument required is a breaking change', async () => {
    const changes = await findBreakingChanges(BASE_API, BASE_API.replace('first: Int', 'first: Int!'));

    expect(changes).toHaveLength(1);
  });

  it('adding an optional field is not breaking', async () => {
    const withOptional = BASE_API.replace('name: String!', 'name: String!\n    venue: String').replace(
      'tickets(first: Int)',
      'tickets(first: Int, after: String)',
    );

    expect(await findBreakingChanges(BASE_API, withOptional)).toEqual([]);
  });

  it('an unchanged schema has no breaking changes', async () => {
    expect(await findBreakingChanges(BASE_API, BASE_API)).toEqual([]);
  });
});

describe('acknowledgements', () => {
  const removal = { message: FIELD_REMOVED_MESSAGE, path: 'Ticket.updatedAt' };

  it('an acknowledged breaking change passes', () => {
    const acks = [{ change: FIELD_REMOVED_MESSAGE, reason: 'no client reads it' }];

    expect(unacknowledged([removal], acks)).toEqual([]);
  });

  it('an unacknowledged breaking change fails', () => {
    expect(unacknowledged([removal], [])).toEqual([removal]);
  });

  it('an acknowledgement that does not quote the exact message does not approve the change', () => {
    const acks = [
      { change: "Field 'updatedAt' was removed", reason: 'a prefix' },
      { change: "Field 'createdAt' was removed from object type 'Ticket'", reason: 'an older break' },
    ];

    expect(unacknowledged([removal], acks)).toEqual([removal]);
  });

  it('the acknowledgements file in the repository is valid', () => {
    expect(() => parseAcknowledgements(readFileSync(ACKNOWLEDGEMENTS_PATH, 'utf8'))).not.toThrow();
  });

  it('an acknowledgement without a reason is rejected', () => {
    const json = JSON.stringify({ acknowledgedBreakingChanges: [{ change: FIELD_REMOVED_MESSAGE, reason: ' ' }] });

    expect(() => parseAcknowledgements(json)).toThrow(InvalidAcknowledgements);
  });

  it('an acknowledgements file that is not JSON is rejected', () => {
    expect(() => parseAcknowledgements('{ acknowledgedBreakingChanges: [] ')).toThrow(InvalidAcknowledgements);
  });
});

describe('the baseline to diff against', () => {
  it('SCHEMA_BASE_REF wins when set', () => {
    expect(chooseBaseRef('origin/main', true).ref).toBe('origin/main');
  });

  it('uncommitted API schema changes are checked against HEAD', () => {
    expect(chooseBaseRef(undefined, true).ref).toBe('HEAD');
  });

  it('a clean checkout checks the last commit against its parent', () => {
    expect(chooseBaseRef(undefined, false).ref).toBe('HEAD~1');
    expect(chooseBaseRef('', false).ref).toBe('HEAD~1');
  });
});

describe('the committed composition', () => {
  const composed = { supergraphSdl: 'supergraph', apiSchemaSdl: 'api' };

  it('files equal to the composition are current', () => {
    expect(findStaleArtifacts(composed, { supergraphSdl: 'supergraph', apiSchemaSdl: 'api' })).toEqual([]);
  });

  it('a committed file that differs from the composition is stale', () => {
    expect(findStaleArtifacts(composed, { supergraphSdl: 'supergraph', apiSchemaSdl: 'api, older' })).toEqual([
      API_SCHEMA_PATH,
    ]);
  });

  it('a missing file is stale', () => {
    expect(findStaleArtifacts(composed, { supergraphSdl: undefined, apiSchemaSdl: 'api' })).toEqual([SUPERGRAPH_PATH]);
  });
});

describe('the reservation → ticket contract', () => {
  it("the reservation's hold and release calls are valid against the ticket subgraph's schema", () => {
    expect(validateTicketHoldContract()).toEqual([]);
  });

  it('a hold document with a misspelled field fails the contract', () => {
    const problems = validateTicketHoldContract([{ name: 'HoldTicket', source: HOLD_WITH_MISSPELLED_FIELD }]);

    expect(problems).toEqual([expect.stringContaining('Cannot query field "reservationID" on type "TicketHold"')]);
  });

  it('a hold document without a required argument fails the contract', () => {
    const source = 'mutation HoldTicket($ticketId: ID!) { holdTicket(ticketId: $ticketId) { status } }';

    expect(validateTicketHoldContract([{ name: 'HoldTicket', source }])).toEqual([
      expect.stringContaining('argument "reservationId" of type "ID!" is required'),
    ]);
  });

  it('a document that does not parse fails the contract', () => {
    expect(validateTicketHoldContract([{ name: 'HoldTicket', source: 'mutation {' }])).toEqual([
      expect.stringMatching(/^HoldTicket: Syntax Error/),
    ]);
  });

  it("the internal mutations are the root fields of reservation's calls", () => {
    expect(internalTicketMutations()).toEqual(['holdTicket', 'releaseTicket']);
  });
});

describe('the client-facing API', () => {
  it('holdTicket is not in the client-facing API', () => {
    const { apiSchemaSdl } = composeSupergraph();

    expect(findExposedInternalMutations(apiSchemaSdl, ['holdTicket'])).toEqual([]);
  });

  it('releaseTicket is not in the client-facing API', () => {
    const { apiSchemaSdl } = composeSupergraph();

    expect(findExposedInternalMutations(apiSchemaSdl, ['releaseTicket'])).toEqual([]);
  });

  it('an API schema that exposes holdTicket is reported', () => {
    const exposing = `${BASE_API}\ntype Mutation { holdTicket(ticketId: ID!, reservationId: ID!): Ticket }`;

    expect(findExposedInternalMutations(exposing)).toEqual([expect.stringContaining('Mutation.holdTicket')]);
  });
});
