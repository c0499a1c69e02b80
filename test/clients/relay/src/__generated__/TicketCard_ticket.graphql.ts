/**
 * @generated SignedSource<<f15e1c35559ec5172f3801420cca6029>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
export type TicketStatus = "AVAILABLE" | "EXPIRED" | "RESERVED";
import { FragmentRefs } from "relay-runtime";
export type TicketCard_ticket$data = {
  readonly id: string;
  readonly name: string;
  readonly price: {
    readonly finalPrice: number;
  } | null | undefined;
  readonly status: TicketStatus;
  readonly " $fragmentType": "TicketCard_ticket";
};
export type TicketCard_ticket$key = {
  readonly " $data"?: TicketCard_ticket$data;
  readonly " $fragmentSpreads": FragmentRefs<"TicketCard_ticket">;
};

import TicketCardRefetchQuery_graphql from './TicketCardRefetchQuery.graphql';

const node: ReaderFragment = {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": {
    "refetch": {
      "connection": null,
      "fragmentPathInResult": [
        "node"
      ],
      "operation": TicketCardRefetchQuery_graphql,
      "identifierInfo": {
        "identifierField": "id",
        "identifierQueryVariableName": "id"
      }
    }
  },
  "name": "TicketCard_ticket",
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
    },
    {
      "alias": null,
      "args": null,
      "concreteType": "Price",
      "kind": "LinkedField",
      "name": "price",
      "plural": false,
      "selections": [
        {
          "alias": null,
          "args": null,
          "kind": "ScalarField",
          "name": "finalPrice",
          "storageKey": null
        }
      ],
      "storageKey": null
    }
  ],
  "type": "Ticket",
  "abstractKey": null
};

(node as any).hash = "58518b6ac154ce918b95d10ddbc6d66b";

export default node;
