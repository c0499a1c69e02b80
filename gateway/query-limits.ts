/**
 * Limits on the shape of a GraphQL document, enforced before anything is planned or sent to a
 * subgraph: depth, aliases, directives and cost with GraphQL Armor's validation rules, tokens by
 * graphql-js's own parser. Each refusal is HTTP 400 with a code of its own, so a client (and a
 * dashboard) can tell which limit it hit. The checks run when a document is first seen; Apollo
 * Server keeps validated documents, so repeated operations pay nothing.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type GraphQLFormattedError, type ParseOptions } from 'graphql';

type ArmorConfig = NonNullable<ConstructorParameters<typeof ApolloArmor>[0]>;
type RejectCallback = NonNullable<NonNullable<ArmorConfig['maxDepth']>['onReject']>[number];

export interface QueryLimits {
  depth: number;
  aliases: number;
  directives: number;
  tokens: number;
  cost: number;
}

/** The codes a refused document gets: the gateway's own limit codes (docs/architecture.md §3). */
export const QUERY_LIMIT_CODES = {
  depth: 'QUERY_TOO_DEEP',
  aliases: 'TOO_MANY_ALIASES',
  directives: 'TOO_MANY_DIRECTIVES',
  tokens: 'TOO_MANY_TOKENS',
  cost: 'QUERY_TOO_COMPLEX',
} as const satisfies Record<keyof QueryLimits, string>;

/**
 * Armor reports a refusal through this callback instead of its own error: the rule's context gets
 * an error with the limit's code (Apollo answers 400 and the formatter keeps the code, see
 * platform/graphql/errors.ts).
 */
function refuseWith(code: string): { propagateOnRejection: false; onReject: RejectCallback[] } {
  return {
    propagateOnRejection: false,
    onReject: [
      (context, armorError) =>
        context?.reportError(
          new GraphQLError(armorError.message.replace(/^Syntax Error: /, ''), { extensions: { code } }),
        ),
    ],
  };
}

// graphql-js's wording when `maxTokens` stops the parser; graphql 16 spells it "more that N tokens".
const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/;

/**
 * Options, plugins and validation rules for Apollo Server, and the formatting step that names the
 * token limit. In production "Did you mean …?" hints are masked too: with introspection off they
 * would still spell out the schema field by field.
 */
export function queryLimitProtection(limits: QueryLimits, options: { production: boolean }) {
  const { plugins, validationRules } = new ApolloArmor({
    // Depth counts fields only: a fragment spread (Relay composes every query from them) is no level.
    maxDepth: { n: limits.depth, flattenFragments: true, ...refuseWith(QUERY_LIMIT_CODES.depth) },
    maxAliases: { n: limits.aliases, ...refuseWith(QUERY_LIMIT_CODES.aliases) },
    maxDirectives: { n: limits.directives, ...refuseWith(QUERY_LIMIT_CODES.directives) },
    costLimit: { maxCost: limits.cost, ...refuseWith(QUERY_LIMIT_CODES.cost) },
    // Armor's token limit re-parses every new document and, under Apollo Server 5, answers a refusal
    // with HTTP 500 (it throws from a parsing hook); graphql-js stops its own parser at the limit.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: options.production },
  }).protect();
  const parseOptions: ParseOptions = { maxTokens: limits.tokens };

  /** Apollo reports the token limit as GRAPHQL_PARSE_FAILED; this names it. */
  function nameTokenLimit(formatted: GraphQLFormattedError): GraphQLFormattedError {
    if (formatted.extensions?.code !== 'GRAPHQL_PARSE_FAILED' || !TOKEN_LIMIT_MESSAGE.test(formatted.message)) {
      return formatted;
    }
    return {
      ...formatted,
      message: `the document has more than ${limits.tokens} tokens`,
      extensions: { ...formatted.extensions, code: QUERY_LIMIT_CODES.tokens },
    };
  }

  return {
    // Armor's declarations name @apollo/server's CommonJS types, this project its ES module types:
    // the same plugin objects under two declarations.
    plugins: plugins as unknown as ApolloServerPlugin[],
    validationRules,
    parseOptions,
    nameTokenLimit,
  };
}
