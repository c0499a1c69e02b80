/**
 * @generated SignedSource<<b35f7f371a54a036c181907f199ac9de>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
export type ReservationStatus = "CANCELLED" | "CONFIRMED";
export type TicketStatus = "AVAILABLE" | "EXPIRED" | "RESERVED";
export type UserGrade = "NORMAL" | "VIP";
import { FragmentRefs } from "relay-runtime";
export type ReservationCard_reservation$data = {
  readonly id: string;
  readonly status: ReservationStatus;
  readonly ticket: {
    readonly id: string;
    readonly name: string;
    readonly status: TicketStatus;
  };
  readonly userGrade: UserGrade;
  readonly " $fragmentType": "ReservationCard_reservation";
};
export type ReservationCard_reservation$key = {
  readonly " $data"?: ReservationCard_reservation$data;
  readonly " $fragmentSpreads": FragmentRefs<"ReservationCard_reservation">;
};

import ReservationCardRefetchQuery_graphql from './ReservationCardRefetchQuery.graphql';

const node: ReaderFragment = (function(){
var v0 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "id",
  "storageKey": null
},
v1 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "status",
  "storageKey": null
};
return {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": {
    "refetch": {
      "connection": null,
      "fragmentPathInResult": [
        "node"
      ],
      "operation": ReservationCardRefetchQuery_graphql,
      "identifierInfo": {
        "identifierField": "id",
        "identifierQueryVariableName": "id"
      }
    }
  },
  "name": "ReservationCard_reservation",
  "selections": [
    (v0/*:: as any*/),
    (v1/*:: as any*/),
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
      "concreteType": "Ticket",
      "kind": "LinkedField",
      "name": "ticket",
      "plural": false,
      "selections": [
        (v0/*:: as any*/),
        {
          "alias": null,
          "args": null,
          "kind": "ScalarField",
          "name": "name",
          "storageKey": null
        },
        (v1/*:: as any*/)
      ],
      "storageKey": null
    }
  ],
  "type": "Reservation",
  "abstractKey": null
};
})();

(node as any).hash = "9796e4fa1ac2246c3ce94495a608cc7f";

export default node;
