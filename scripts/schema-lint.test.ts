/**
 * The schema rules of eslint.config.js, as `npm run lint` applies them: the client-facing API and
 * every subgraph's SDL (federation directives included) pass, an element without a description
 * fails with require-description whatever its kind, and an element several subgraphs declare is
 * described alike in each (composition would otherwise pick one description); the gateway serves
 * every description to Sandbox.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ESLint } from 'eslint';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  parse,
  print,
  visit,
  type GraphQLSchema,
  type NameNode,
} from 'graphql';
import { SUBGRAPHS, SUPERGRAPH_PATH, subgraphSdl } from '../gateway/composition.ts';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const API_SCHEMA = 'gateway/api-schema.graphql';
const SCHEMAS = [
  API_SCHEMA,
  ...['ticket', 'reservation', 'price', 'view'].map((name) => `subgraphs/${name}/schema.graphql`),
];
// Loading the configuration and building five schemas takes a while on a busy machine.
const LINT_TIMEOUT_MS = 120_000;

/** One line per problem: the rule and its message. */
function problems(results: ESLint.LintResult[]): string[] {
  return results.flatMap((result) =>
    result.messages.map(
      (message) => `${path.relative(REPOSITORY, result.filePath)}: ${message.ruleId}: ${message.message}`,
    ),
  );
}

/**
 * The SDL with the descriptions of some elements removed, named by schema coordinate: `Type`,
 * `Type.field`, `Type.field(argument:)`, `Input.field` or `Enum.VALUE`.
 */
function withoutDescriptions(sdl: string, coordinates: readonly string[]): string {
  const strip = new Set(coordinates);
  const stripped = visit(parse(sdl), {
    enter(node, _key, _parent, _path, ancestors) {
      if (!('description' in node)) return undefined;
      const [type, field, argument] = [...ancestors, node].flatMap((named) =>
        isNamed(named) ? [named.name.value] : [],
      );
      const coordinate = argument ? `${type}.${field}(${argument}:)` : field ? `${type}.${field}` : type;
      return coordinate && strip.delete(coordinate) ? { ...node, description: undefined } : undefined;
    },
  });
  expect([...strip]).toEqual([]); // every coordinate named an element of the schema
  return print(stripped);
}

/** The schema coordinates of the elements a client's introspection finds without a description. */
function undescribed(schema: GraphQLSchema): string[] {
  const types = Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));
  return types.flatMap((type) => {
    const elements: { coordinate: string; description?: string | null }[] = [{ coordinate: type.name, ...type }];
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        elements.push({ coordinate: `${type.name}.${field.name}`, description: field.description });
        for (const arg of 'args' in field ? field.args : []) {
          elements.push({ coordinate: `${type.name}.${field.name}(${arg.name}:)`, description: arg.description });
        }
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) {
        elements.push({ coordinate: `${type.name}.${value.name}`, description: value.description });
      }
    }
    return elements.filter((element) => !element.description?.trim()).map((element) => element.coordinate);
  });
}

function isNamed(node: unknown): node is { name: NameNode } {
  return typeof node === 'object' && node !== null && 'kind' in node && 'name' in node && node.name !== undefined;
}

describe('schema lint', () => {
  const eslint = new ESLint({ cwd: REPOSITORY });

  it(
    'passes the client-facing API and every subgraph SDL',
    async () => {
      expect(problems(await eslint.lintFiles(SCHEMAS))).toEqual([]);
    },
    LINT_TIMEOUT_MS,
  );

  it(
    'fails on a type, field, argument, input field or enum value without a description',
    async () => {
      const sdl = readFileSync(path.join(REPOSITORY, API_SCHEMA), 'utf8');
      const undescribed = withoutDescriptions(sdl, [
        'PricePolicy',
        'Ticket.name',
        'Query.tickets(first:)',
        'RegisterTicketInput.basePrice',
        'UserGrade.VIP',
      ]);

      const results = await eslint.lintText(undescribed, { filePath: path.join(REPOSITORY, API_SCHEMA) });

      expect(problems(results).sort()).toEqual(
        [
          'type "PricePolicy"',
          'field "name" in type "Ticket"',
          'input value "first" in field "tickets"',
          'input value "basePrice" in input "RegisterTicketInput"',
          'enum value "VIP" in enum "UserGrade"',
        ]
          .map(
            (element) => `${API_SCHEMA}: @graphql-eslint/require-description: Description is required for ${element}`,
          )
          .sort(),
      );
    },
    LINT_TIMEOUT_MS,
  );

  it('has the same description wherever several subgraphs declare one element', () => {
    const { hints } = composeServices(
      SUBGRAPHS.map((name) => ({ name, url: `http://${name}`, typeDefs: parse(subgraphSdl(name)) })),
    );
    const inconsistent = (hints ?? []).filter((hint) => hint.definition.code === 'INCONSISTENT_DESCRIPTION');
    expect(inconsistent.map((hint) => hint.message)).toEqual([]);
  });

  it('is what the gateway serves: Sandbox finds a description on every element', async () => {
    const gateway = new ApolloGateway({ supergraphSdl: readFileSync(SUPERGRAPH_PATH, 'utf8') });
    const { schema } = await gateway.load();
    try {
      expect(undescribed(schema)).toEqual([]);
      expect(schema.getMutationType()?.getFields().reserveTicket?.description).toContain('TICKET_NOT_AVAILABLE');
    } finally {
      await gateway.stop();
    }
  });
});
