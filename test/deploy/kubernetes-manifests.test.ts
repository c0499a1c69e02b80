import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SUBGRAPHS } from '../../gateway/composition.ts';
import { DATABASE_SERVICES, SERVICE_NAMES, SERVICES } from '../../system/topology.ts';
import {
  parseManifests,
  renderKustomization,
  validateKubernetesObjects,
  type KubernetesObject,
} from '../../scripts/deploy-checks/kubernetes.ts';

const root = path.resolve(import.meta.dirname, '../..');
const k8s = path.join(root, 'deploy/k8s');
const PROCESSES = ['gateway', ...SUBGRAPHS] as const;
const PORTS: Record<string, number> = Object.fromEntries(
  SERVICE_NAMES.map((name) => [name, SERVICES[name].defaultPort]),
);
/** Subgraphs with a PostgreSQL database of their own (the view's store is local SQLite). */
const TRANSACTIONAL: readonly string[] = DATABASE_SERVICES;
const PROCESS_STOP_TIMEOUT_MS = 25_000;

function find(objects: KubernetesObject[], kind: string, name: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in the rendered manifests`);
  return found;
}

function envOf(container: any): Record<string, string> {
  return Object.fromEntries((container.env ?? []).filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]));
}

/** What a container's process sees: its ConfigMaps (envFrom), overridden by its own `env`. */
function environmentOf(objects: KubernetesObject[], container: any): Record<string, string> {
  const fromConfigMaps = (container.envFrom ?? [])
    .filter((source: any) => source.configMapRef)
    .map((source: any) => find(objects, 'ConfigMap', source.configMapRef.name).data);
  return Object.assign({}, ...fromConfigMaps, envOf(container));
}

describe('the Kubernetes manifests', () => {
  let dev: KubernetesObject[];
  let production: KubernetesObject[];
  let monitoring: KubernetesObject[];
  let scratch: string;

  beforeAll(() => {
    dev = renderKustomization(path.join(k8s, 'overlays/dev'));
    monitoring = renderKustomization(path.join(k8s, 'monitoring'));
    // The production overlay needs the secrets.env an operator (or the deploy job) writes.
    scratch = mkdtempSync(path.join(tmpdir(), 'k8s-production-'));
    cpSync(k8s, scratch, { recursive: true });
    const example = readFileSync(path.join(k8s, 'overlays/production/secrets.env.example'), 'utf8');
    writeFileSync(
      path.join(scratch, 'overlays/production/secrets.env'),
      example.replace(/^(\w+)=$/gm, (_, key: string) => `${key}=test-value-for-${key.toLowerCase()}-0123456789abcdef`),
    );
    production = renderKustomization(path.join(scratch, 'overlays/production'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('render with kustomize and are valid against the Kubernetes API schemas, unknown fields refused', async () => {
    expect(await validateKubernetesObjects(dev)).toEqual([]);
    expect(await validateKubernetesObjects(production)).toEqual([]);
    expect(await validateKubernetesObjects(monitoring)).toEqual([]);
  });

  it('the validation catches a misspelt field, a wrong type and an unknown kind', async () => {
    const deployment = structuredClone(find(dev, 'Deployment', 'ticket'));
    const container = deployment.spec.template.spec.containers[0];
    container.readinesProbe = container.readinessProbe;
    delete container.readinessProbe;
    expect((await validateKubernetesObjects([deployment])).join('\n')).toMatch(/readinesProbe/);

    const service = structuredClone(find(dev, 'Service', 'ticket'));
    service.spec.ports[0].port = 'four thousand';
    expect((await validateKubernetesObjects([service])).join('\n')).toMatch(/port must be integer/);

    const unknown = parseManifests('apiVersion: v1\nkind: Sevrice\nmetadata:\n  name: x\n');
    expect(await validateKubernetesObjects(unknown)).toEqual(['Sevrice/x: unknown kind Sevrice in v1']);
  });

  it('run every process as a Deployment with probes on the health endpoints, limits and zero-unavailable rollouts', () => {
    for (const objects of [dev, production]) {
      const config = find(objects, 'ConfigMap', 'ticketing-config').data;
      for (const name of PROCESSES) {
        const deployment = find(objects, 'Deployment', name);
        const pod = deployment.spec.template.spec;
        const container = pod.containers.find((c: any) => c.name === name);
        expect(container.args).toEqual([name]);
        // Health and metrics on the admin port of the topology, which no Service exposes.
        const adminPort = SERVICES[name].adminPort;
        expect(container.ports).toEqual([
          { name: 'http', containerPort: PORTS[name] },
          { name: 'admin', containerPort: adminPort },
        ]);
        expect(envOf(container).PORT).toBe(String(PORTS[name]));
        expect(envOf(container).ADMIN_PORT).toBe(String(adminPort));
        expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'admin' });
        expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'admin' });
        expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'admin' });
        expect(deployment.spec.template.metadata.annotations).toMatchObject({
          'prometheus.io/port': String(adminPort),
          'prometheus.io/path': '/metrics',
        });
        for (const kind of ['requests', 'limits']) {
          expect(container.resources[kind]).toEqual({ cpu: expect.anything(), memory: expect.anything() });
        }
        expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
        // The process stops by itself (shutdown delay included) before Kubernetes would kill it.
        expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(PROCESS_STOP_TIMEOUT_MS);
        expect(Number(config.SHUTDOWN_DELAY_MS)).toBeLessThan(PROCESS_STOP_TIMEOUT_MS / 2);
        expect(find(objects, 'Service', name).spec.ports).toEqual([
          { name: 'http', port: PORTS[name], targetPort: 'http' },
        ]);
        expect(find(objects, 'PodDisruptionBudget', name).spec).toEqual({
          maxUnavailable: 1,
          selector: { matchLabels: deployment.spec.selector.matchLabels },
        });
      }
    }
  });

  it('scrape every process on its admin port', () => {
    const podMonitor = find(monitoring, 'PodMonitor', 'ticketing');
    expect(podMonitor.spec.podMetricsEndpoints).toEqual([{ port: 'admin', path: '/metrics', interval: '15s' }]);
  });

  it('serve only trusted documents in production, and any document in development', () => {
    expect(find(production, 'ConfigMap', 'ticketing-config').data.TRUSTED_DOCUMENTS).toBe('require');
    expect(find(dev, 'ConfigMap', 'ticketing-config').data.TRUSTED_DOCUMENTS).toBeUndefined();
  });

  it('point the gateway at every composed subgraph, and reservation at ticket, through their Services', () => {
    const config = find(production, 'ConfigMap', 'ticketing-config').data;
    for (const name of SUBGRAPHS) {
      expect(config[`${name.toUpperCase()}_URL`]).toBe(`http://${name}:${PORTS[name]}/graphql`);
    }
    expect(config.TICKET_SERVICE_URL).toBe(`http://ticket:${PORTS.ticket}/graphql`);
    expect(config.NODE_ENV).toBe('production');
    expect(config.MIGRATE_ON_START).toBe('false');
    // Subgraphs listen on the loopback address by default: Services could not reach them.
    expect(config.HOST).toBe('0.0.0.0');
  });

  it('autoscale gateway, reservation and ticket; the autoscaler, not the manifest, owns their replica count', () => {
    const autoscaled = production.filter((o) => o.kind === 'HorizontalPodAutoscaler') as any[];
    expect(autoscaled.map((hpa) => hpa.spec.scaleTargetRef.name).sort()).toEqual(['gateway', 'reservation', 'ticket']);
    for (const hpa of autoscaled) {
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(find(production, 'Deployment', hpa.spec.scaleTargetRef.name).spec.replicas).toBeUndefined();
    }
  });

  it('keep PostgreSQL and NATS on persistent volumes, with one database per transactional subgraph', () => {
    for (const name of ['postgres', 'nats']) {
      const statefulSet = find(production, 'StatefulSet', name);
      expect(statefulSet.spec.volumeClaimTemplates[0].spec.accessModes).toEqual(['ReadWriteOnce']);
    }
    const natsConfig = find(production, 'ConfigMap', 'nats-config').data['nats.conf'];
    expect(natsConfig).toMatch(/jetstream\s*\{[^}]*store_dir: \/data/);
    const init = find(production, 'ConfigMap', 'postgres-init').data['10-init-databases.sql'];
    expect(init).toBe(readFileSync(path.join(root, 'deploy/postgres/init-databases.sql'), 'utf8'));
    for (const name of TRANSACTIONAL) expect(init).toContain(`CREATE DATABASE ${name};`);
  });

  it('run NATS in production as a three-node JetStream cluster that every process lists, the stream on all three', () => {
    const statefulSet = find(production, 'StatefulSet', 'nats');
    expect(statefulSet.spec.replicas).toBe(3);
    // Peers find each other by name before any of them is ready, so they must start together.
    expect(statefulSet.spec.podManagementPolicy).toBe('Parallel');
    const headless = find(production, 'Service', statefulSet.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
    const pod = statefulSet.spec.template.spec;
    const container = pod.containers.find((c: any) => c.name === 'nats');
    expect(container.ports).toContainEqual({ name: 'cluster', containerPort: 6222 });
    expect(headless.spec.ports).toContainEqual({ name: 'cluster', port: 6222, targetPort: 'cluster' });
    // Each server's JetStream store on a volume of its own.
    const store = statefulSet.spec.volumeClaimTemplates[0].metadata.name;
    expect(container.volumeMounts).toContainEqual({ name: store, mountPath: '/data' });
    expect(find(production, 'PodDisruptionBudget', 'nats').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: statefulSet.spec.selector.matchLabels },
    });

    const pods = [0, 1, 2].map((ordinal) => `nats-${ordinal}.${headless.metadata.name}`);
    const natsConfig = find(production, 'ConfigMap', 'nats-config').data['nats.conf'];
    const cluster = /^cluster\s*\{([\s\S]*?)^\}/m.exec(natsConfig)?.[1] ?? '';
    expect(cluster).toMatch(/^\s*name: \w+$/m);
    expect(cluster).toMatch(/^\s*port: 6222$/m);
    expect(cluster.match(/nats:\/\/[\w.-]+:\d+/g)).toEqual(pods.map((name) => `nats://${name}:6222`));
    // JetStream's Raft groups need a name unique to each server: the pod's.
    expect(natsConfig).toMatch(/^server_name: \$SERVER_NAME$/m);
    expect(container.env).toContainEqual({
      name: 'SERVER_NAME',
      valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
    });

    const processes = [
      ...PROCESSES.map((name) => find(production, 'Deployment', name).spec.template.spec.containers[0]),
      find(production, 'Job', 'migrate').spec.template.spec.containers[0],
    ];
    for (const processContainer of processes) {
      const env = environmentOf(production, processContainer);
      expect({ process: processContainer.name, replicas: env.NATS_STREAM_REPLICAS }).toEqual({
        process: processContainer.name,
        replicas: '3',
      });
      expect(env.NATS_URL?.split(',')).toEqual(pods.map((name) => `nats://${name}:4222`));
    }
  });

  it('run NATS in development as one server, the stream on it alone', () => {
    expect(find(dev, 'StatefulSet', 'nats').spec.replicas).toBe(1);
    expect(dev.filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'nats')).toEqual([]);
    for (const name of PROCESSES) {
      const env = environmentOf(dev, find(dev, 'Deployment', name).spec.template.spec.containers[0]);
      expect([env.NATS_URL, env.NATS_STREAM_REPLICAS]).toEqual(['nats://nats:4222', '1']);
    }
  });

  it('migrate in one Job, and start no transactional subgraph before its migrations are applied', () => {
    const job = find(production, 'Job', 'migrate');
    const migrate = job.spec.template.spec.containers[0];
    expect(migrate.args).toEqual(['migrate']);
    for (const name of TRANSACTIONAL) {
      expect(envOf(migrate)[`DATABASE_URL_${name.toUpperCase()}`]).toBe(
        `postgresql://postgres:$(POSTGRES_PASSWORD)@postgres:5432/${name}`,
      );
      const pod = find(production, 'Deployment', name).spec.template.spec;
      expect(pod.initContainers.map((c: any) => c.args)).toEqual([['wait-for-migrations']]);
      const container = pod.containers[0];
      expect(envOf(container).DATABASE_URL).toBe(`postgresql://postgres:$(POSTGRES_PASSWORD)@postgres:5432/${name}`);
      // $(POSTGRES_PASSWORD) expands only from variables declared before it.
      const names = container.env.map((e: any) => e.name);
      expect(names.indexOf('POSTGRES_PASSWORD')).toBeLessThan(names.indexOf('DATABASE_URL'));
    }
  });

  it('give each view replica a store of its own, and its instance id', () => {
    const pod = find(production, 'Deployment', 'view').spec.template.spec;
    const container = pod.containers[0];
    const dataDir = envOf(container).VIEW_DATA_DIR;
    const mount = container.volumeMounts.find((m: any) => m.mountPath === dataDir);
    expect(pod.volumes.find((v: any) => v.name === mount.name)).toEqual({ name: mount.name, emptyDir: {} });
    expect(container.env.find((e: any) => e.name === 'VIEW_INSTANCE_ID').valueFrom.fieldRef.fieldPath).toBe(
      'metadata.name',
    );
  });

  it('take every secret from the one Secret the overlays generate, with every key it is asked for', () => {
    for (const [objects, envFile] of [
      [dev, 'overlays/dev/secrets.env'],
      [production, 'overlays/production/secrets.env.example'],
    ] as const) {
      const secret = objects.find((o) => o.kind === 'Secret') as any;
      expect(secret.metadata.name).toMatch(/^ticketing-secrets-/);
      const keys = readFileSync(path.join(k8s, envFile), 'utf8').match(/^\w+(?==)/gm);
      expect(Object.keys(secret.data).sort()).toEqual([...keys!].sort());
      const references = JSON.stringify(objects).match(/"secretKeyRef":\{[^}]*\}/g) ?? [];
      for (const reference of references) {
        const { key, name } = JSON.parse(reference.slice('"secretKeyRef":'.length));
        expect(name).toBe(secret.metadata.name);
        expect(secret.data).toHaveProperty(key);
      }
    }
  });
});
