/**
 * The operator's dashboard and the compose profile that shows it (README: Metrics, dashboard and
 * alerts): every query parses and reads only metrics the running processes export on their admin
 * ports; Prometheus scrapes every process there; the `observability` profile is valid Compose and
 * provisions Grafana with the dashboard.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { exportedSeriesNames } from '../../scripts/deploy-checks/alert-rules.ts';
import { readComposeFile, validateCompose } from '../../scripts/deploy-checks/compose.ts';
import {
  checkDashboard,
  dashboardMetricNames,
  readDashboard,
  type Dashboard,
} from '../../scripts/deploy-checks/dashboard.ts';
import { SERVICE_NAMES, SERVICES } from '../../system/topology.ts';
import { startTestSupergraph, type TestSupergraph } from '../support/supergraph.ts';

const root = path.resolve(import.meta.dirname, '../..');
const observability = path.join(root, 'deploy/observability');
const dashboard = readDashboard(path.join(observability, 'grafana/dashboards/ticketing.json'));
const compose = readComposeFile(path.join(root, 'docker-compose.yml'));
const PROFILE_SERVICES = ['prometheus', 'grafana', 'jaeger'];

describe('the dashboard', () => {
  let supergraph: TestSupergraph;
  beforeAll(async () => {
    // As deployed: health and metrics on an admin port of each process's own.
    supergraph = await startTestSupergraph({ separateAdminPorts: true });
  });
  afterAll(() => supergraph?.stop());

  it('binds every panel to the Prometheus data source, and every query parses as PromQL', () => {
    expect(checkDashboard(dashboard)).toEqual([]);
  });

  it('the check catches a PromQL syntax error and a panel off the data source', () => {
    const broken = structuredClone(dashboard) as Dashboard;
    const panel = broken.panels.find((p) => p.type !== 'row')!;
    panel.targets![0]!.expr = 'sum(rate(http_requests_total[$__rate_interval])';
    delete panel.datasource;
    const problems = checkDashboard(broken).join('\n');
    expect(problems).toMatch(/PromQL syntax error/);
    expect(problems).toMatch(/not on the data source variable/);
  });

  it('shows requests, latency and errors per operation and subgraph, the breaker, outbox, consumers, dead letters, view lag, pools and saga time', () => {
    expect(dashboardMetricNames(dashboard)).toEqual(
      expect.arrayContaining([
        'graphql_operations_total',
        'graphql_operation_duration_seconds_bucket',
        'graphql_errors_total',
        'gateway_subgraph_request_duration_seconds_bucket',
        'ticket_circuit_breaker_state',
        'ticket_circuit_breaker_rejections_total',
        'outbox_backlog',
        'outbox_oldest_unpublished_age_seconds',
        'consumer_pending_messages',
        'consumer_redelivered_total',
        'events_dead_lettered_total',
        'view_lag_events',
        'db_pool_connections',
        'event_end_to_end_seconds_bucket',
      ]),
    );
  });

  it('queries only metrics that the running processes export on their admin ports', async () => {
    const exported = new Set<string>();
    for (const adminUrl of Object.values(supergraph.adminUrls)) {
      const response = await fetch(`${adminUrl}/metrics`);
      expect(response.status).toBe(200);
      for (const name of exportedSeriesNames(await response.text())) exported.add(name);
    }
    expect(dashboardMetricNames(dashboard).filter((name) => !exported.has(name))).toEqual([]);
  });

  it('is not served on the public ports', async () => {
    for (const url of [supergraph.gatewayUrl, ...Object.values(supergraph.subgraphUrls)]) {
      expect((await fetch(url.replace(/\/graphql$/, '/metrics'))).status).toBe(404);
    }
  });
});

describe('docker compose --profile observability', () => {
  it('is valid against the Compose Specification schema', () => {
    expect(validateCompose(compose)).toEqual([]);
  });

  it('adds Prometheus, Grafana and Jaeger only with the profile', () => {
    const profiled = Object.entries(compose.services).filter(([, service]) => service.profiles);
    expect(profiled.map(([name]) => name).sort()).toEqual([...PROFILE_SERVICES].sort());
    for (const [, service] of profiled) expect(service.profiles).toEqual(['observability']);
    expect(compose.services.jaeger!.environment).toMatchObject({ COLLECTOR_OTLP_ENABLED: 'true' });
    expect(compose.services.jaeger!.ports).toEqual(expect.arrayContaining(['16686:16686', '4318:4318']));
  });

  it('scrapes every process on the admin port it is given, which is published nowhere', () => {
    const prometheus = parse(readFileSync(path.join(observability, 'prometheus.yml'), 'utf8'));
    const targets = prometheus.scrape_configs.flatMap((job: any) =>
      job.static_configs.flatMap((config: any) => config.targets),
    );
    expect(targets.sort()).toEqual(SERVICE_NAMES.map((name) => `${name}:${SERVICES[name].adminPort}`).sort());
    for (const name of SERVICE_NAMES) {
      const service = compose.services[name]!;
      expect(service.environment?.ADMIN_PORT).toBe(String(SERVICES[name].adminPort));
      expect(JSON.stringify(service.ports ?? [])).not.toContain(String(SERVICES[name].adminPort));
      expect(JSON.stringify(service.healthcheck?.test)).toContain('process.env.ADMIN_PORT');
    }
    expect(compose.services.prometheus!.volumes).toContain(
      './deploy/observability/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
  });

  it('provisions Grafana with the Prometheus and Jaeger data sources and the dashboard', () => {
    const mounts = (compose.services.grafana!.volumes as string[]).map((volume) => volume.split(':'));
    const hostPathOf = (container: string) => mounts.find(([, inside]) => inside === container)?.[0];
    const provisioning = path.join(root, hostPathOf('/etc/grafana/provisioning')!);
    const dashboards = path.join(root, hostPathOf('/etc/grafana/dashboards')!);
    expect(existsSync(path.join(dashboards, 'ticketing.json'))).toBe(true);

    const sources = parse(readFileSync(path.join(provisioning, 'datasources/datasources.yaml'), 'utf8'));
    expect(sources.datasources.map((source: any) => [source.type, source.url])).toEqual([
      ['prometheus', 'http://prometheus:9090'],
      ['jaeger', 'http://jaeger:16686'],
    ]);
    const providers = parse(readFileSync(path.join(provisioning, 'dashboards/dashboards.yaml'), 'utf8'));
    expect(providers.providers[0].options.path).toBe('/etc/grafana/dashboards');
  });
});
