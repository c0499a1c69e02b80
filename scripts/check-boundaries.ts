/**
 * `npm run lint` runs this: dependency-cruiser checks the import boundaries of
 * .dependency-cruiser.cjs over the whole tree and fails the build on any violation.
 *
 * Through dependency-cruiser's API rather than its CLI: the CLI refuses to start on Node 20,
 * which this project supports; the API works on it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = path.join(REPOSITORY, '.dependency-cruiser.cjs');

/** Every folder of TypeScript the processes, tools and tests are made of. */
export const CHECKED_FOLDERS = [
  'ticketing',
  'platform',
  'subgraphs',
  'gateway',
  'scripts',
  'test',
  'bench',
  'system',
  'chaos',
  'operations',
];

export interface BoundaryCheck {
  violations: IViolation[];
  /** One line per violation (the rule, the importer, what it must not reach and how it does), and a total. */
  report: string;
}

/** Checks `folders` of the tree at `root` (default: this repository) against the boundaries. */
export async function checkBoundaries(root = REPOSITORY, folders = CHECKED_FOLDERS): Promise<BoundaryCheck> {
  const options = await extractDepcruiseOptions(CONFIG);
  const tsConfigFile = path.join(root, 'tsconfig.json');
  const tsConfig = existsSync(tsConfigFile) ? extractTSConfig(tsConfigFile) : undefined;
  const cruised = await cruise(
    folders,
    { ...options, baseDir: root, tsConfig: tsConfig && { fileName: tsConfigFile }, validate: true },
    {},
    { tsConfig },
  );
  const { summary } = cruised.output as ICruiseResult;
  const lines = summary.violations.map(describeViolation);
  const total =
    lines.length === 0
      ? `no boundary violations in ${summary.totalCruised} modules`
      : `${lines.length} boundary violations in ${summary.totalCruised} modules; why each rule holds: .dependency-cruiser.cjs`;
  return { violations: summary.violations, report: [...lines, total, ''].join('\n') };
}

function describeViolation(violation: IViolation): string {
  // A reachability rule names the chain, since the wrong import may be several modules away.
  const chain = violation.via ?? [];
  const via = chain.length > 1 ? ` (via ${chain.map((step) => step.name).join(' → ')})` : '';
  return `${violation.rule.severity} ${violation.rule.name}: ${violation.from} → ${violation.to}${via}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { violations, report } = await checkBoundaries();
  process.stdout.write(report);
  if (violations.some((violation) => violation.rule.severity === 'error')) process.exitCode = 1;
}
