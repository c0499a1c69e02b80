/**
 * The Grafana dashboard (deploy/observability/grafana/dashboards), checked offline: every panel
 * titled and bound to the Prometheus data source variable, every query parsed with Prometheus'
 * own PromQL grammar once Grafana's variables are given values, and the metric names the queries
 * read, to compare with what the processes export (as for the alert rules).
 */
import { readFileSync } from 'node:fs';
import { metricNames, promqlErrors } from './alert-rules.ts';

export interface DashboardPanel {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { refId?: string; expr?: string }[];
  /** A collapsed row keeps its panels here. */
  panels?: DashboardPanel[];
}

export interface Dashboard {
  uid?: string;
  title?: string;
  panels: DashboardPanel[];
  templating?: { list: { name: string; type: string; query?: string }[] };
}

export function readDashboard(path: string): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** Every panel, those inside collapsed rows included. */
export function allPanels(dashboard: Dashboard): DashboardPanel[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Each query of the dashboard with the title of its panel. */
export function dashboardQueries(dashboard: Dashboard): { panel: string; expr: string }[] {
  return allPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title ?? '(untitled)', expr: target.expr ?? '' })),
  );
}

/** The query as Prometheus receives it: Grafana's interval variables given a duration, others a name. */
export function withVariablesResolved(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b/g, '5m').replace(/\$\{(\w+)\}|\$(\w+)/g, '$1$2');
}

/** The metric names a dashboard's queries read. */
export function dashboardMetricNames(dashboard: Dashboard): string[] {
  return [...new Set(dashboardQueries(dashboard).flatMap(({ expr }) => metricNames(withVariablesResolved(expr))))];
}

/** Problems found, one line each; empty when the dashboard is sound. */
export function checkDashboard(dashboard: Dashboard): string[] {
  const problems: string[] = [];
  if (!dashboard.uid || !dashboard.title) problems.push('the dashboard needs a uid and a title');
  const variable = dashboard.templating?.list.find((v) => v.type === 'datasource' && v.query === 'prometheus');
  if (!variable) problems.push('no Prometheus data source variable');
  const ids = new Set<number>();
  for (const panel of allPanels(dashboard)) {
    const where = `panel "${panel.title ?? '(untitled)'}"`;
    if (!panel.title) problems.push(`${where}: no title`);
    if (panel.id === undefined || ids.has(panel.id)) problems.push(`${where}: missing or repeated id`);
    if (panel.id !== undefined) ids.add(panel.id);
    if (panel.type === 'row') continue;
    if (panel.datasource?.uid !== `\${${variable?.name}}`) problems.push(`${where}: not on the data source variable`);
    if (!panel.targets?.length) problems.push(`${where}: no query`);
    for (const target of panel.targets ?? []) {
      problems.push(...promqlErrors(withVariablesResolved(target.expr ?? '')).map((error) => `${where}: ${error}`));
    }
  }
  return problems;
}
