/**
 * `npm run schema:check` (CI): composition succeeds, the committed composition is current, the
 * client-facing API has no unacknowledged breaking change, and reservation's direct call to
 * ticket still fits ticket's schema without being reachable through the gateway.
 * One line per check; exits non-zero if any fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  API_SCHEMA_PATH,
  CompositionFailed,
  SUPERGRAPH_PATH,
  composeSupergraph,
  type Composition,
} from '../gateway/composition.ts';
import {
  ACKNOWLEDGEMENTS_PATH,
  InvalidAcknowledgements,
  chooseBaseRef,
  findAcknowledgement,
  findBreakingChanges,
  findExposedInternalMutations,
  findStaleArtifacts,
  internalTicketMutations,
  parseAcknowledgements,
  unacknowledged,
  validateTicketHoldContract,
} from '../gateway/schema-checks.ts';

const root = path.resolve(import.meta.dirname, '..');

type Outcome = 'PASS' | 'FAIL' | 'SKIP';
const outcomes: Outcome[] = [];

function report(outcome: Outcome, check: string, summary: string, details: readonly string[] = []): void {
  outcomes.push(outcome);
  process.stdout.write(`${outcome} ${check}: ${summary}\n`);
  for (const detail of details) process.stdout.write(`       ${detail}\n`);
}

function relative(file: string): string {
  return path.relative(root, file);
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

// ---------------------------------------------------------------------------------------------
// git

function runGit(args: readonly string[]): { ok: boolean; stdout: string } {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return { ok: result.status === 0, stdout: result.stdout ?? '' };
}

function resolveCommit(ref: string): string | undefined {
  const result = runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return result.ok ? result.stdout.trim() : undefined;
}

function showFileAt(commit: string, file: string): string | undefined {
  // `<rev>:./path` is resolved relative to cwd, so this works wherever the repository root is.
  const result = runGit(['show', `${commit}:./${relative(file)}`]);
  return result.ok ? result.stdout : undefined;
}

/**
 * The composed schema counts too: a developer who changed a subgraph but has not run
 * `npm run compose` yet should still see the breaks against HEAD, not against HEAD's parent.
 */
function apiSchemaChangedSinceHead(composedApiSchemaSdl: string): boolean {
  const head = resolveCommit('HEAD');
  // No HEAD, or no API schema in it, counts as changed: the baseline then does not exist and is skipped.
  const atHead = head ? showFileAt(head, API_SCHEMA_PATH) : undefined;
  return atHead !== readIfExists(API_SCHEMA_PATH) || atHead !== composedApiSchemaSdl;
}

// ---------------------------------------------------------------------------------------------
// checks

function checkComposition(): Composition | undefined {
  try {
    const composition = composeSupergraph();
    report('PASS', 'composition', `the subgraphs compose`);
    return composition;
  } catch (error) {
    if (!(error instanceof CompositionFailed)) throw error;
    report(
      'FAIL',
      'composition',
      'the subgraphs do not compose',
      error.message
        .split('\n')
        .slice(1)
        .map((line) => line.trim()),
    );
    return undefined;
  }
}

function checkCommittedArtifacts(composition: Composition): void {
  const stale = findStaleArtifacts(composition, {
    supergraphSdl: readIfExists(SUPERGRAPH_PATH),
    apiSchemaSdl: readIfExists(API_SCHEMA_PATH),
  });
  if (stale.length === 0) {
    report(
      'PASS',
      'committed composition',
      `${relative(SUPERGRAPH_PATH)} and ${relative(API_SCHEMA_PATH)} are current`,
    );
    return;
  }
  report(
    'FAIL',
    'committed composition',
    `${stale.map(relative).join(' and ')} ${stale.length === 1 ? 'is' : 'are'} stale (or missing): run \`npm run compose\` and commit the result`,
  );
}

function loadAcknowledgements(): ReturnType<typeof parseAcknowledgements> | string {
  const json = readIfExists(ACKNOWLEDGEMENTS_PATH);
  if (json === undefined) return `${relative(ACKNOWLEDGEMENTS_PATH)} is missing`;
  try {
    return parseAcknowledgements(json);
  } catch (error) {
    if (!(error instanceof InvalidAcknowledgements)) throw error;
    return `${relative(ACKNOWLEDGEMENTS_PATH)} is invalid: ${error.message}`;
  }
}

async function checkBreakingChanges(composition: Composition): Promise<void> {
  const check = 'breaking changes';
  const base = chooseBaseRef(process.env.SCHEMA_BASE_REF, apiSchemaChangedSinceHead(composition.apiSchemaSdl));
  const commit = resolveCommit(base.ref);
  if (!commit) {
    report(
      'SKIP',
      check,
      `no baseline: ref ${base.ref} does not exist (${base.why}; first commit, or a shallow clone)`,
    );
    return;
  }
  const baseline = showFileAt(commit, API_SCHEMA_PATH);
  if (baseline === undefined) {
    report(
      'SKIP',
      check,
      `no baseline: ${relative(API_SCHEMA_PATH)} does not exist at ${base.ref} (${commit.slice(0, 7)})`,
    );
    return;
  }
  const against = `against ${relative(API_SCHEMA_PATH)} at ${base.ref} (${commit.slice(0, 7)}; ${base.why})`;
  const acks = loadAcknowledgements();
  if (typeof acks === 'string') {
    report('FAIL', check, acks);
    return;
  }
  const breaking = await findBreakingChanges(baseline, composition.apiSchemaSdl);
  const lines = breaking.map((change) => {
    const ack = findAcknowledgement(change, acks);
    return ack ? `acknowledged: ${change.message} (reason: ${ack.reason})` : `BREAKING: ${change.message}`;
  });
  const open = unacknowledged(breaking, acks);
  if (open.length === 0) {
    report(
      'PASS',
      check,
      `${breaking.length === 0 ? 'none' : `${breaking.length}, all acknowledged,`} ${against}`,
      lines,
    );
    return;
  }
  report('FAIL', check, `${open.length} unacknowledged of ${breaking.length} ${against}`, [
    ...lines,
    `to accept one, add { "change": "<the exact message>", "reason": "<why clients are not broken>" }`,
    `to acknowledgedBreakingChanges in ${relative(ACKNOWLEDGEMENTS_PATH)}, in the same commit as the schema change`,
  ]);
}

function checkTicketHoldContract(): void {
  const problems = validateTicketHoldContract();
  if (problems.length === 0) {
    report(
      'PASS',
      'ticket hold contract',
      `HoldTicket and ReleaseTicket are valid against the ticket subgraph's schema`,
    );
    return;
  }
  report('FAIL', 'ticket hold contract', `reservation's calls do not fit the ticket subgraph's schema`, problems);
}

function checkInternalMutationsHidden(composition: Composition): void {
  const internal = internalTicketMutations();
  const problems = findExposedInternalMutations(composition.apiSchemaSdl, internal);
  if (problems.length === 0) {
    report('PASS', 'internal mutations hidden', `${internal.join(', ')} are not in the client-facing API`);
    return;
  }
  report('FAIL', 'internal mutations hidden', 'reachable through the gateway', problems);
}

async function main(): Promise<void> {
  const composition = checkComposition();
  if (composition) {
    checkCommittedArtifacts(composition);
    await checkBreakingChanges(composition);
  } else {
    report('SKIP', 'committed composition', 'needs a composition');
    report('SKIP', 'breaking changes', 'needs a composition');
  }
  checkTicketHoldContract();
  if (composition) checkInternalMutationsHidden(composition);
  else report('SKIP', 'internal mutations hidden', 'needs a composition');

  // A check skipped because composition failed is already counted as that failure.
  const failed = outcomes.filter((outcome) => outcome === 'FAIL').length;
  process.stdout.write(failed === 0 ? 'schema check passed\n' : `schema check failed: ${failed} check(s)\n`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
