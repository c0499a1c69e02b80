import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  checkRuleGroups,
  exportedSeriesNames,
  metricNames,
  type RuleGroup,
} from '../../scripts/deploy-checks/alert-rules.ts';
import { renderKustomization, validateKubernetesObjects } from '../../scripts/deploy-checks/kubernetes.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';

const root = path.resolve(import.meta.dirname, '../..');
const monitoring = renderKustomization(path.join(root, 'deploy/k8s/monitoring'));
const rule = monitoring.find((o) => o.kind === 'PrometheusRule') as unknown as { spec: { groups: RuleGroup[] } };
const groups = rule.spec.groups;
const expressions = groups.flatMap((group) => group.rules.map((r) => r.expr));

/** Made by Prometheus itself, not exported by the processes. */
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds']);

describe('the alert rules', () => {
  let supergraph: TestSupergraph;
  beforeAll(async () => {
    // As deployed: health and metrics on an admin port of each process's own.
    supergraph = await startTestSupergraph({ separateAdminPorts: true });
  });
  afterAll(() => supergraph?.stop());

  it('are a valid PrometheusRule whose expressions all parse as PromQL', async () => {
    expect(await validateKubernetesObjects(monitoring)).toEqual([]);
    expect(checkRuleGroups(groups)).toEqual([]);
  });

  it('alert on an open breaker, stuck reservation attempts, a growing outbox, consumer lag and the error rate', () => {
    const watched = new Set(expressions.flatMap(metricNames));
    for (const metric of [
      'ticket_circuit_breaker_state',
      'reservation_attempt_oldest_age_seconds',
      'outbox_backlog',
      'outbox_oldest_unpublished_age_seconds',
      'consumer_pending_messages',
      'consumer_redelivered_total',
      'http_requests_total',
      'graphql_errors_total',
    ]) {
      expect(watched).toContain(metric);
    }
  });

  it('the check catches a PromQL syntax error and a rule without severity or summary', () => {
    const broken: RuleGroup[] = [
      { name: 'g', rules: [{ alert: 'Broken', expr: 'sum(rate(http_requests_total[5m])' }] },
    ];
    const problems = checkRuleGroups(broken).join('\n');
    expect(problems).toMatch(/PromQL syntax error/);
    expect(problems).toMatch(/severity/);
    expect(problems).toMatch(/summary/);
  });

  it('name only metrics that the running processes export', async () => {
    const exported = new Set<string>();
    for (const adminUrl of Object.values(supergraph.adminUrls)) {
      const text = await (await fetch(`${adminUrl}/metrics`)).text();
      for (const name of exportedSeriesNames(text)) exported.add(name);
    }
    const missing = expressions
      .flatMap(metricNames)
      .filter((name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name));
    expect([...new Set(missing)]).toEqual([]);
  });
});
