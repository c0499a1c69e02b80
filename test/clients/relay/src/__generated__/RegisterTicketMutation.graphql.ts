/**
 * @generated SignedSource<<126d8d5fbef9eea161b7959bbdd2d664>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ConcreteRequest } from 'relay-runtime';
export type TicketStatus = "AVAILABLE" | "EXPIRED" | "RESERVED";
export type RegisterTicketInput = {
  basePrice: number;
  currency?: string | null | undefined;
  expiresAt: any;
  name: string;
  startsAt: any;
};
export type RegisterTicketMutation$variables = {
  input: RegisterTicketInput;
};
export type RegisterTicketMutation$data = {
  readonly registerTicket: {
    readonly id: string;
    readonly name: string;
    readonly status: TicketStatus;
  };
};
export type RegisterTicketMutation = {
  response: RegisterTicketMutation$data;
  variables: RegisterTicketMutation$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "input"
  }
],
v1 = [
  {
    "alias": null,
    "args": [
      {
        "kind": "Variable",
        "name": "input",
        "variableName": "input"
      }
    ],
    "concreteType": "Ticket",
    "kind": "LinkedField",
    "name": "registerTicket",
    "plural": false,
    "selections": [
      {
        "alias": null,
        "args": null,
        "kind": "ScalarField",
        "name": "id",
        "storageKey": null
      },
      {
        "alias": null,
        "args": null,
        "kind": "ScalarField",
        "name": "name",
        "storageKey": null
      },
      {
        "alias": null,
        "args": null,
        "kind": "ScalarField",
        "name": "status",
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
    "name": "RegisterTicketMutation",
    "selections": (v1/*:: as any*/),
    "type": "Mutation",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "RegisterTicketMutation",
    "selections": (v1/*:: as any*/)
  },
  "params": {
    "cacheID": "5c83492bb9e99b507adabce5ac5b075d",
    "id": null,
    "metadata": {},
    "name": "RegisterTicketMutation",
    "operationKind": "mutation",
    "text": "mutation RegisterTicketMutation(\n  $input: RegisterTicketInput!\n) {\n  registerTicket(input: $input) {\n    id\n    name\n    status\n  }\n}\n"
  }
};
})();

(node as any).hash = "ee121b75c79917d0fe034561b33464f5";

export default node;
