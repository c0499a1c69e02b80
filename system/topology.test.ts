import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SUBGRAPH_URLS, SUBGRAPHS } from '../gateway/composition.ts';
import { adminPortOf, SERVICES, serviceEnv, startWaves, type SystemLayout } from './topology.ts';

function aLayout(overrides: Partial<SystemLayout> = {}): SystemLayout {
  return {
    ports: { ticket: 5001, reservation: 5002, price: 5003, view: 5004, gateway: 5000 },
    sharedEnv: { NATS_URL: 'nats://127.0.0.1:4222' },
    dataDir: '/data',
    ...overrides,
  };
}

describe('startWaves', () => {
  it('starts ticket before reservation and every subgraph before the gateway', () => {
    const waves = startWaves();
    const waveOf = (name: string) => waves.findIndex((wave) => wave.some((member) => member === name));

    expect(waveOf('ticket')).toBeLessThan(waveOf('reservation'));
    for (const subgraph of ['ticket', 'reservation', 'price', 'view']) {
      expect(waveOf(subgraph)).toBeLessThan(waveOf('gateway'));
    }
  });
});

describe('serviceEnv', () => {
  it('points reservation at ticket and the gateway at every subgraph, on the layout ports', () => {
    const layout = aLayout();

    expect(serviceEnv('reservation', layout)).toMatchObject({
      TICKET_SERVICE_URL: 'http://127.0.0.1:5001/graphql',
      PORT: '5002',
      NATS_URL: 'nats://127.0.0.1:4222',
    });
    expect(serviceEnv('gateway', layout)).toMatchObject({
      TICKET_URL: 'http://127.0.0.1:5001/graphql',
      RESERVATION_URL: 'http://127.0.0.1:5002/graphql',
      PRICE_URL: 'http://127.0.0.1:5003/graphql',
      VIEW_URL: 'http://127.0.0.1:5004/graphql',
    });
  });

  it('gives a subgraph with a database URL that database, migrated, and one without an embedded store', () => {
    const layout = aLayout({ databaseUrls: { ticket: 'postgresql://127.0.0.1/t' }, embeddedPgPortBase: 6000 });

    expect(serviceEnv('ticket', layout)).toMatchObject({
      DATABASE_URL: 'postgresql://127.0.0.1/t',
      MIGRATE_ON_START: 'true',
    });
    expect(serviceEnv('price', layout)).toMatchObject({
      EMBEDDED_PG_DIR: '/data/price/postgres',
      EMBEDDED_PG_PORT: '6002',
    });
    expect(serviceEnv('price', layout).DATABASE_URL).toBeUndefined();
  });

  it('lets one process’s overrides win over the shared settings', () => {
    const layout = aLayout({ overrides: { view: { NATS_URL: 'nats://elsewhere:4222' } } });

    expect(serviceEnv('view', layout)).toMatchObject({
      NATS_URL: 'nats://elsewhere:4222',
      VIEW_DATA_DIR: '/data/view',
    });
  });

  it('names each process in its traces, ticketing-<name>, unless told otherwise', () => {
    const layout = aLayout({ overrides: { price: { OTEL_SERVICE_NAME: 'pricing' } } });

    expect(serviceEnv('gateway', layout).OTEL_SERVICE_NAME).toBe('ticketing-gateway');
    expect(serviceEnv('view', layout).OTEL_SERVICE_NAME).toBe('ticketing-view');
    expect(serviceEnv('price', layout).OTEL_SERVICE_NAME).toBe('pricing');
  });
});

describe('admin ports', () => {
  it('gives a process ADMIN_PORT only when the layout keeps its health and metrics apart', () => {
    const layout = aLayout({ adminPorts: { gateway: 9400 } });

    expect(serviceEnv('gateway', layout)).toMatchObject({ PORT: '5000', ADMIN_PORT: '9400' });
    expect(serviceEnv('ticket', layout).ADMIN_PORT).toBeUndefined();
    expect(adminPortOf(layout, 'gateway')).toBe(9400);
    expect(adminPortOf(layout, 'ticket')).toBe(5001);
  });

  it('are distinct from each other and from every public port', () => {
    const ports = Object.values(SERVICES).flatMap((service) => [service.defaultPort, service.adminPort]);
    expect(new Set(ports).size).toBe(ports.length);
  });
});

describe('default ports', () => {
  it('are the ports of the subgraph URLs the committed supergraph was composed with', () => {
    for (const name of SUBGRAPHS) {
      expect(Number(new URL(DEFAULT_SUBGRAPH_URLS[name]).port)).toBe(SERVICES[name].defaultPort);
    }
  });
});
