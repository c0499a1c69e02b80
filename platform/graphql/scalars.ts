import { GraphQLScalarType, Kind } from 'graphql';

/**
 * ISO-8601 date-times. An unparseable string becomes an Invalid Date rather than a coercion
 * error, so the domain can answer BAD_USER_INPUT naming the field, for literals and variables alike.
 * No description here: the subgraphs' SDL describes DateTime for clients, and one set here would
 * replace it in each subgraph's own schema.
 */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue(value) {
    return typeof value === 'string' ? parseIsoDateTime(value) : new Date(Number.NaN);
  },
  parseLiteral(ast) {
    return ast.kind === Kind.STRING ? parseIsoDateTime(ast.value) : new Date(Number.NaN);
  },
});

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseIsoDateTime(value: string): Date {
  return ISO_8601.test(value) ? new Date(value) : new Date(Number.NaN);
}
