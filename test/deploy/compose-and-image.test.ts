import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SUBGRAPHS } from '../../gateway/composition.ts';
import { readComposeFile, validateCompose } from '../../scripts/deploy-checks/compose.ts';
import { checkDockerfile } from '../../scripts/deploy-checks/dockerfile.ts';
import { DATABASE_SERVICES, SERVICES, type ServiceName } from '../../system/topology.ts';

const root = path.resolve(import.meta.dirname, '../..');
const compose = readComposeFile(path.join(root, 'docker-compose.yml'));
const PROCESSES = ['gateway', ...SUBGRAPHS];
const TRANSACTIONAL: readonly string[] = DATABASE_SERVICES;
const port = (name: string) => String(SERVICES[name as ServiceName].defaultPort);

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    expect(validateCompose(compose)).toEqual([]);
  });

  it('the validation catches a wrong type and an unknown key', () => {
    const broken = structuredClone(compose);
    broken.services.gateway!.healthcheck = { test: 42 } as never;
    broken.services.ticket!.depends_on = { postgres: { condition: 'service_healthy', bogus: true } } as never;
    const problems = validateCompose(broken).join('\n');
    expect(problems).toMatch(/\/services\/gateway\/healthcheck\/test/);
    expect(problems).toMatch(/\/services\/ticket\/depends_on/);
  });

  it('runs PostgreSQL, NATS with JetStream on a volume, the migrate job, every subgraph, the view and the gateway', () => {
    // Prometheus, Grafana and Jaeger come only with `--profile observability` (test/observability).
    const always = Object.entries(compose.services).filter(([, service]) => !service.profiles);
    expect(always.map(([name]) => name).sort()).toEqual(['migrate', 'nats', 'postgres', ...PROCESSES].sort());
    const nats = compose.services.nats!;
    expect(nats.command).toEqual(expect.arrayContaining(['-js', '-sd', '/data']));
    expect(nats.volumes).toContain('nats-data:/data');
    const init = readFileSync(path.join(root, 'deploy/postgres/init-databases.sql'), 'utf8');
    for (const name of TRANSACTIONAL) expect(init).toContain(`CREATE DATABASE ${name};`);
    expect(compose.services.postgres!.volumes).toContain(
      './deploy/postgres/init-databases.sql:/docker-entrypoint-initdb.d/10-init-databases.sql:ro',
    );
  });

  it('starts each process after what it needs is healthy, and checks its readiness', () => {
    for (const name of PROCESSES) {
      const service = compose.services[name]!;
      expect(service.command).toBe(name);
      expect(service.environment?.PORT).toBe(port(name));
      // Subgraphs listen on the loopback address by default: other containers could not reach them.
      expect(service.environment?.HOST).toBe('0.0.0.0');
      expect(JSON.stringify(service.healthcheck?.test)).toContain('/health/ready');
      for (const dependency of Object.values(service.depends_on ?? {})) {
        expect(['service_healthy', 'service_completed_successfully']).toContain(dependency.condition);
      }
    }
    for (const name of TRANSACTIONAL) {
      expect(compose.services[name]!.depends_on).toMatchObject({
        postgres: { condition: 'service_healthy' },
        nats: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
      expect(compose.services[name]!.environment?.MIGRATE_ON_START).toBe('false');
    }
    const gateway = compose.services.gateway!;
    for (const name of SUBGRAPHS) {
      expect(gateway.depends_on?.[name]).toEqual({ condition: 'service_healthy' });
      expect(gateway.environment?.[`${name.toUpperCase()}_URL`]).toBe(`http://${name}:${port(name)}/graphql`);
    }
  });
});

describe('the container image', () => {
  const dockerfile = checkDockerfile(path.join(root, 'Dockerfile'));

  it('has a valid, multi-stage Dockerfile whose image runs as a non-root user', () => {
    expect(dockerfile.problems).toEqual([]);
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile.user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(dockerfile.entrypoint).toBe('["docker-entrypoint"]');
  });

  it('runs any process, the migrations and the migration wait by argument', () => {
    const entrypoint = readFileSync(path.join(root, 'deploy/docker-entrypoint.sh'), 'utf8');
    const commands = [...entrypoint.matchAll(/^\s+([\w| -]+)\)$/gm)].flatMap((m) =>
      m[1]!.split('|').map((c) => c.trim()),
    );
    expect(commands).toEqual(expect.arrayContaining([...PROCESSES, 'migrate', 'wait-for-migrations', 'token']));
    for (const name of SUBGRAPHS)
      expect(readFileSync(path.join(root, `subgraphs/${name}/main.ts`), 'utf8')).toBeTruthy();
  });

  it('keeps secrets, local data and host builds out of the build context', () => {
    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', '.data', '**/.env', 'prisma/*/client']));
  });
});
