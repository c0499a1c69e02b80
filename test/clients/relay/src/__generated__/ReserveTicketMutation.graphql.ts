/**
 * @generated SignedSource<<7853101be45a4340655e1f4a01b884da>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ConcreteRequest } from 'relay-runtime';
export type ReservationStatus = "CANCELLED" | "CONFIRMED";
export type TicketStatus = "AVAILABLE" | "EXPIRED" | "RESERVED";
export type UserGrade = "NORMAL" | "VIP";
export type ReserveTicketMutation$variables = {
  ticketId: string;
};
export type ReserveTicketMutation$data = {
  readonly reserveTicket: {
    readonly id: string;
    readonly reservedAt: any;
    readonly status: ReservationStatus;
    readonly ticket: {
      readonly id: string;
      readonly name: string;
      readonly status: TicketStatus;
    };
    readonly userGrade: UserGrade;
  };
};
export type ReserveTicketMutation = {
  response: ReserveTicketMutation$data;
  variables: ReserveTicketMutation$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "ticketId"
  }
],
v1 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "id",
  "storageKey": null
},
v2 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "status",
  "storageKey": null
},
v3 = [
  {
    "alias": null,
    "args": [
      {
        "kind": "Variable",
        "name": "ticketId",
        "variableName": "ticketId"
      }
    ],
    "concreteType": "Reservation",
    "kind": "LinkedField",
    "name": "reserveTicket",
    "plural": false,
    "selections": [
      (v1/*:: as any*/),
      (v2/*:: as any*/),
      {
        "alias": null,
        "args": null,
        "kind": "ScalarField",
        "name": "userGrade",
        "storageKey": null
      },
      {
        "alias": null,
        "args": null,
        "kind": "ScalarField",
        "name": "reservedAt",
        "storageKey": null
      },
      {
        "alias": null,
        "args": null,
        "concreteType": "Ticket",
        "kind": "LinkedField",
        "name": "ticket",
        "plural": false,
        "selections": [
          (v1/*:: as any*/),
          {
            "alias": null,
            "args": null,
            "kind": "ScalarField",
            "name": "name",
            "storageKey": null
          },
          (v2/*:: as any*/)
        ],
        "storageKey": null
      }
    ],
    "storageKey": null
  }
];
return {
  "fragment": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Fragment",
    "metadata": null,
    "name": "ReserveTicketMutation",
    "selections": (v3/*:: as any*/),
    "type": "Mutation",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "ReserveTicketMutation",
    "selections": (v3/*:: as any*/)
  },
  "params": {
    "cacheID": "0aff2b83daade5b36f647c218726a213",
    "id": null,
    "metadata": {},
    "name": "ReserveTicketMutation",
    "operationKind": "mutation",
    "text": "mutation ReserveTicketMutation(\n  $ticketId: ID!\n) {\n  reserveTicket(ticketId: $ticketId) {\n    id\n    status\n    userGrade\n    reservedAt\n    ticket {\n      id\n      name\n      status\n    }\n  }\n}\n"
  }
};
})();

(node as any).hash = "d5d1e9974dd72852561a7b203a953c15";

export default node;
