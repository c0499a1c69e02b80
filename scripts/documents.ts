/**
 * `npm run documents`: the trusted-documents manifest (gateway/trusted-documents.json) from the
 * operations clients send (operations/*.graphql), in Apollo's persisted-query-manifest format.
 * Each operation's body is the text a client sends for it: the operation, then the fragments it
 * uses, printed by graphql-js (as operations/client.ts sends them); its id is that text's sha256.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode } from 'graphql';
import { format, resolveConfig } from 'prettier';
import {
  documentId,
  PERSISTED_QUERY_MANIFEST_FORMAT,
  TRUSTED_DOCUMENTS_PATH,
  type PersistedQueryManifest,
} from '../gateway/trusted-documents.ts';

const root = path.resolve(import.meta.dirname, '..');
const OPERATIONS_DIR = path.join(root, 'operations');

/** The `.graphql` files whose operations are trusted, relative to the repository's root. */
export function operationSources(): string[] {
  return readdirSync(OPERATIONS_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => path.relative(root, path.join(OPERATIONS_DIR, file)));
}

/** The manifest of every operation in `sources`, in file order; fragments may sit in any of them. */
export function buildManifest(sources: readonly string[]): PersistedQueryManifest {
  const definitions = sources.flatMap((source) => parse(readFileSync(path.join(root, source), 'utf8')).definitions);
  const fragments = new Map(
    definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const operations = definitions.flatMap((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION) return [];
    if (!definition.name) throw new Error('trusted documents: every operation needs a name');
    const body = print({ kind: Kind.DOCUMENT, definitions: [definition, ...fragmentsUsedBy(definition, fragments)] });
    return [{ id: documentId(body), name: definition.name.value, type: definition.operation, body }];
  });
  const names = operations.map((operation) => operation.name);
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (repeated.length > 0) throw new Error(`trusted documents: operation names used twice: ${repeated}`);
  return { format: PERSISTED_QUERY_MANIFEST_FORMAT, version: 1, operations };
}

/** The fragments `definition` spreads, directly or through another fragment, in first-use order. */
function fragmentsUsedBy(
  definition: DefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (node: DefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (!fragment) throw new Error(`trusted documents: unknown fragment ${name}`);
        if (used.has(name)) return;
        used.set(name, fragment);
        collect(fragment);
      },
    });
  collect(definition);
  return [...used.values()];
}

/** The manifest file's text, formatted as the repository formats JSON. */
export async function manifestText(manifest: PersistedQueryManifest): Promise<string> {
  const options = await resolveConfig(TRUSTED_DOCUMENTS_PATH);
  return format(JSON.stringify(manifest), { ...options, filepath: TRUSTED_DOCUMENTS_PATH });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(TRUSTED_DOCUMENTS_PATH, await manifestText(buildManifest(operationSources())));
  process.stdout.write(`wrote ${path.relative(root, TRUSTED_DOCUMENTS_PATH)}\n`);
}
