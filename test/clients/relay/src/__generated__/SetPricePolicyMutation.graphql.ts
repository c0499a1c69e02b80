/**
 * @generated SignedSource<<30a3ee4f7f97232c56474e8355551dad>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ConcreteRequest } from 'relay-runtime';
export type PricePolicyInput = {
  active?: boolean | null | undefined;
  discountPercent: number;
  name: string;
  vipDiscountPercent: number;
};
export type SetPricePolicyMutation$variables = {
  input: PricePolicyInput;
};
export type SetPricePolicyMutation$data = {
  readonly setPricePolicy: {
    readonly active: boolean;
    readonly id: string;
    readonly name: string;
  };
};
export type SetPricePolicyMutation = {
  response: SetPricePolicyMutation$data;
  variables: SetPricePolicyMutation$variables;
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
    "concreteType": "PricePolicy",
    "kind": "LinkedField",
    "name": "setPricePolicy",
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
        "name": "active",
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
    "name": "SetPricePolicyMutation",
    "selections": (v1/*:: as any*/),
    "type": "Mutation",
    "abstractKey": null
  },
  "kind": "Request",
  "operation": {
    "argumentDefinitions": (v0/*:: as any*/),
    "kind": "Operation",
    "name": "SetPricePolicyMutation",
    "selections": (v1/*:: as any*/)
  },
  "params": {
    "cacheID": "e14eee0e762e24e054adb487258ef637",
    "id": null,
    "metadata": {},
    "name": "SetPricePolicyMutation",
    "operationKind": "mutation",
    "text": "mutation SetPricePolicyMutation(\n  $input: PricePolicyInput!\n) {\n  setPricePolicy(input: $input) {\n    id\n    name\n    active\n  }\n}\n"
  }
};
})();

(node as any).hash = "cf4e946b3edf8dde81f35ec340abdff2";

export default node;
