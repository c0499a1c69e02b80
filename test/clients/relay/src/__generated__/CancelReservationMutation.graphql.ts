/**
 * @generated SignedSource<<8909f8fc722bc7a9fba7b89082d7c7df>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ConcreteRequest } from 'relay-runtime';
export type ReservationStatus = "CANCELLED" | "CONFIRMED";
export type CancelReservationMutation$variables = {
  id: string;
};
export type CancelReservationMutation$data = {
  readonly cancelReservation: {
    readonly cancelledAt: any | null | undefined;
    readonly id: string;
    readonly status: ReservationStatus;
  };
};
export type CancelReservationMutation = {
  response: CancelReservationMutation$data;
  variables: CancelReservationMutation$variables;
};

const node: ConcreteRequest = (function(){
var v0 = [
  {
    "defaultValue": null,
    "kind": "LocalArgument",
    "name": "id"
  }
],
v1 = [
  {
    "alias": null,
    "args": [
      {
        "kind": "Variable",
        "name": "id",
        "variableName": "id"
      }
    ],
    "concreteType": "Reservation",
    "kind": "LinkedField",
    "name": "cancelReservation",
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
        "name": "status",
        "storageKey": null
      },
      {
        "alias": null,
        "args": null,
        "kind": "ScalarField",
        "name": "cancelledAt",
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
    "name": "CancelReservationMutation",
    "selections": (v1/*:: as any*/),
    "type": "Mutation",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "CancelReservationMutation",
    "selections": (v1/*:: as any*/)
  },
  "params": {
    "cacheID": "c7e99a750f0e7d1c549523bdd61ab50b",
    "id": null,
    "metadata": {},
    "name": "CancelReservationMutation",
    "operationKind": "mutation",
    "text": "mutation CancelReservationMutation(\n  $id: ID!\n) {\n  cancelReservation(id: $id) {\n    id\n    status\n    cancelledAt\n  }\n}\n"
  }
};
})();

(node as any).hash = "5cb0ccea587a36c3b2144549ca000238";

export default node;
