/**
 * Kubernetes manifests, checked offline: rendered by kustomize (`kubectl kustomize`, the real
 * one), then every object validated against the Kubernetes API's OpenAPI schemas, as shipped by
 * `kubernetes-models` (and `@kubernetes-models/prometheus-operator` for the operator's kinds).
 * Those schemas accept unknown fields, so a misspelt `readinesProbe` would pass: the same
 * objects are also type-checked against the models' TypeScript types, which reject unknown
 * fields at any depth (like kubeconform's -strict).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export class KustomizeFailed extends Error {
  override readonly name = 'KustomizeFailed';
}

/** The objects `kubectl kustomize <dir>` renders. */
export function renderKustomization(dir: string): KubernetesObject[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    throw new KustomizeFailed(
      `cannot run kubectl (${result.error.message}): kustomize renders the manifests; install kubectl`,
    );
  }
  if (result.status !== 0) throw new KustomizeFailed(`kubectl kustomize ${dir} failed:\n${result.stderr.trim()}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): KubernetesObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(document.errors.map((e) => e.message).join('\n'));
      return document.toJS() as KubernetesObject | null;
    })
    .filter((object): object is KubernetesObject => object !== null);
}

/** The package whose models cover an API group; the core group and the built-in ones are in kubernetes-models. */
const MODEL_PACKAGES: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

function modelModule(object: Pick<KubernetesObject, 'apiVersion' | 'kind'>): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
  return `${MODEL_PACKAGES[group] ?? 'kubernetes-models'}/${object.apiVersion}/${object.kind}`;
}

export function describe(object: KubernetesObject): string {
  return `${object.kind}/${object.metadata?.name ?? '(unnamed)'}`;
}

/** Problems found, one line each; empty when every object is valid. */
export async function validateKubernetesObjects(objects: readonly KubernetesObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      problems.push(`${JSON.stringify(object).slice(0, 80)}: no apiVersion or kind`);
      continue;
    }
    let Model: { new (data: unknown): { validate(): void } } | undefined;
    try {
      const module = (await import(modelModule(object))) as Record<string, typeof Model>;
      Model = module[object.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(`${describe(object)}: unknown kind ${object.kind} in ${object.apiVersion}`);
      continue;
    }
    try {
      new Model(asTheApiServerReadsIt(object)).validate();
    } catch (error) {
      problems.push(`${describe(object)}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) return problems;
  return findUnknownFields(objects);
}

/**
 * kustomize wraps long base64 values of a Secret over several lines, which the API server
 * accepts (Go's base64 decoding skips line breaks) and the schema's `byte` format does not.
 */
function asTheApiServerReadsIt(object: KubernetesObject): KubernetesObject {
  if (object.kind !== 'Secret' || typeof object.data !== 'object' || object.data === null) return object;
  const data = Object.fromEntries(
    Object.entries(object.data as Record<string, unknown>).map(([key, value]) => [
      key,
      typeof value === 'string' ? value.replace(/[\r\n]/g, '') : value,
    ]),
  );
  return { ...object, data };
}

/** Type-checks each object against its model's interface: unknown fields are errors there. */
function findUnknownFields(objects: readonly KubernetesObject[]): string[] {
  // A file that is never written: it only has to sit where the packages resolve from.
  const fileName = path.join(import.meta.dirname, '__kubernetes_manifests__.ts');
  const source = objects
    .map((object, index) => {
      const type = `import('${modelModule(object)}').I${object.kind}`;
      return `export const object${index}: ${type} = ${JSON.stringify(object, null, 1)};`;
    })
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, languageVersion) : readFile(name, languageVersion, ...rest);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file?.fileName !== fileName || diagnostic.start === undefined) return message;
    const text = diagnostic.file.text.slice(0, diagnostic.start);
    const object = objects[(text.match(/^export const object/gm) ?? []).length - 1]!;
    const field = /^"?([^":]*)/.exec(diagnostic.file.text.slice(diagnostic.start))![1];
    return `${describe(object)}: ${message} (at ${field})`;
  });
}
