/**
 * Prometheus alert rules, checked offline: the rule groups' shape, every expression parsed with
 * Prometheus' own PromQL grammar (@prometheus-io/lezer-promql, from the Prometheus UI), and the
 * metric names each expression reads, to compare with what the processes export.
 */
import { parser } from '@prometheus-io/lezer-promql';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const SEVERITIES = new Set(['critical', 'warning', 'info']);

export function checkRuleGroups(groups: readonly RuleGroup[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const group of groups) {
    if (!group.name) problems.push('a group has no name');
    if (names.has(group.name)) problems.push(`group ${group.name}: name used twice`);
    names.add(group.name);
    for (const rule of group.rules ?? []) {
      const where = `${group.name}/${rule.alert ?? '(no alert name)'}`;
      if (!rule.alert || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(rule.alert)) problems.push(`${where}: invalid alert name`);
      if (rule.for !== undefined && !DURATION.test(rule.for))
        problems.push(`${where}: invalid duration for: ${rule.for}`);
      if (!SEVERITIES.has(rule.labels?.severity ?? ''))
        problems.push(`${where}: severity must be one of ${[...SEVERITIES]}`);
      if (!rule.annotations?.summary) problems.push(`${where}: no summary annotation`);
      problems.push(...promqlErrors(rule.expr ?? '').map((error) => `${where}: ${error}`));
    }
  }
  return problems;
}

/** Syntax errors in a PromQL expression, with the text where each starts. */
export function promqlErrors(expr: string): string[] {
  if (expr.trim() === '') return ['empty expression'];
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(`PromQL syntax error at ${node.from}: "${expr.slice(node.from, node.from + 30)}"`);
    },
  });
  return errors;
}

/** The metric names an expression selects (`foo` in `rate(foo{a="b"}[5m])`). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        names.add(expr.slice(node.from, node.to));
      }
    },
  });
  return [...names];
}

/** Metric names (series names included: `_bucket`, `_sum`, `_count`) in Prometheus text exposition. */
export function exportedSeriesNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)/.exec(line);
    if (!typed) continue;
    const [, name, type] = typed as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}
