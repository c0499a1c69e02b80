/** This process's configuration, read from the environment as the process reads it. */
import { describe, expect, it } from '@jest/globals';
import { configErrorOf, namedVariables } from '../../test/support/config-errors.ts';
import { loadTicketConfig } from './config.ts';

describe('loadTicketConfig (end to end)', () => {
  it('when PORT is not a number, it throws a ConfigError naming PORT', () => {
    expect(namedVariables(configErrorOf(() => loadTicketConfig({ PORT: 'abc' })))).toEqual(['PORT']);
  });

  it('when several variables are invalid, they are all named at once', () => {
    const message = configErrorOf(() =>
      loadTicketConfig({
        PORT: 'abc',
        NATS_STREAM: 'a b',
        JWT_SECRET: 'short',
        SEED_DEMO_DATA: 'yes',
        DATABASE_URL: 'mysql://db',
      }),
    );

    expect(namedVariables(message).sort()).toEqual([
      'DATABASE_URL',
      'JWT_SECRET',
      'NATS_STREAM',
      'PORT',
      'SEED_DEMO_DATA',
    ]);
  });

  it('when started in production without secrets, it refuses to start', () => {
    const message = configErrorOf(() => loadTicketConfig({ NODE_ENV: 'production' }));

    expect(message).toContain('JWT_SECRET');
    expect(message).toContain('SERVICE_TOKEN_SECRET');
  });

  it('when nothing is set, it starts in development with the ticket defaults', () => {
    expect(loadTicketConfig({})).toMatchObject({
      port: 4001,
      host: '127.0.0.1',
      production: false,
      logLevel: 'info',
      nats: { url: 'nats://127.0.0.1:4222', stream: 'TICKETING', subjectPrefix: 'ticketing' },
      database: { name: 'ticket', poolSize: 10, embedded: { port: 54331 }, migrateOnStart: false },
      consumerName: 'ticket',
      seedDemoData: false,
    });
  });

  it('when HOST is set, the subgraph listens there; when it is not an IP address, it is refused', () => {
    expect(loadTicketConfig({ HOST: '0.0.0.0' })).toMatchObject({ host: '0.0.0.0' });
    expect(loadTicketConfig({ HOST: '::' })).toMatchObject({ host: '::' });
    expect(namedVariables(configErrorOf(() => loadTicketConfig({ HOST: 'everywhere' })))).toEqual(['HOST']);
  });

  it('when flags and numbers are set as strings, they are converted', () => {
    expect(
      loadTicketConfig({ PORT: '5001', SEED_DEMO_DATA: '1', MIGRATE_ON_START: 'true', DATABASE_POOL_SIZE: '4' }),
    ).toMatchObject({
      port: 5001,
      seedDemoData: true,
      database: { poolSize: 4, migrateOnStart: true },
    });
  });
});

describe('values as .env and compose files write them', () => {
  it('when a variable is set but empty, its default applies', () => {
    expect(loadTicketConfig({ PORT: '', DATABASE_POOL_SIZE: ' ' })).toMatchObject({
      port: 4001,
      database: { poolSize: 10 },
    });
  });

  it('when a number is not written in plain digits, it is refused', () => {
    expect(configErrorOf(() => loadTicketConfig({ PORT: '1e3' }))).toContain('PORT');
  });
});
