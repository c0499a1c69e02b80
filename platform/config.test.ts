import { describe, expect, it } from '@jest/globals';
import { configErrorOf, namedVariables } from '../test/support/config-errors.ts';
import { z } from 'zod';
import {
  authConfigFrom,
  commonEnv,
  lifecycleConfigFrom,
  lifecycleEnv,
  natsConfigFrom,
  natsEnv,
  natsServers,
  parseConfig,
  port,
} from './config.ts';

const processSchema = z.object({ ...commonEnv, ...natsEnv, PORT: port(4000) });
type CommonEnvValues = Parameters<typeof authConfigFrom>[0];

const A_JWT_SECRET = 'j'.repeat(32);
const A_SERVICE_SECRET = 's'.repeat(32);

function aProductionEnv(overrides: Partial<CommonEnvValues> = {}): CommonEnvValues {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    JWT_SECRET: A_JWT_SECRET,
    SERVICE_TOKEN_SECRET: A_SERVICE_SECRET,
    ...overrides,
  };
}

describe('parseConfig', () => {
  it('when every variable is absent, the defaults are used', () => {
    expect(parseConfig(processSchema, {})).toMatchObject({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: 4000,
      NATS_STREAM: 'TICKETING',
      NATS_SUBJECT_PREFIX: 'ticketing',
    });
  });

  it('when several variables are invalid, one ConfigError names every one of them', () => {
    const message = configErrorOf(() =>
      parseConfig(processSchema, { PORT: 'abc', NATS_STREAM: 'a b', LOG_LEVEL: 'loud' }),
    );

    expect(namedVariables(message).sort()).toEqual(['LOG_LEVEL', 'NATS_STREAM', 'PORT']);
  });

  it.each([
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '80.5' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['NATS_SUBJECT_PREFIX', { NATS_SUBJECT_PREFIX: 'Ticketing.Events' }],
    ['JWT_JWKS_URL', { JWT_JWKS_URL: 'not a url' }],
    ['NATS_STREAM_REPLICAS', { NATS_STREAM_REPLICAS: '0' }],
    ['NATS_STREAM_REPLICAS', { NATS_STREAM_REPLICAS: '6' }],
    ['NATS_STREAM_REPLICAS', { NATS_STREAM_REPLICAS: 'three' }],
    ['NATS_URL', { NATS_URL: 'nats://a:4222,,http://b/x' }],
    ['NATS_URL', { NATS_URL: ' , ' }],
  ])('when %s is invalid, the ConfigError names it', (variable, env) => {
    expect(namedVariables(configErrorOf(() => parseConfig(processSchema, env)))).toEqual([variable]);
  });

  it('when JWT_SECRET is shorter than 32 characters, it is refused', () => {
    const message = configErrorOf(() => parseConfig(processSchema, { JWT_SECRET: 'x'.repeat(31) }));

    expect(namedVariables(message)).toEqual(['JWT_SECRET']);
    expect(message).toContain('at least 32 characters');
  });

  it('when SERVICE_TOKEN_SECRET is shorter than 32 characters, it is refused', () => {
    expect(namedVariables(configErrorOf(() => parseConfig(processSchema, { SERVICE_TOKEN_SECRET: 'short' })))).toEqual([
      'SERVICE_TOKEN_SECRET',
    ]);
  });

  it('when the secrets are long enough, they are accepted', () => {
    expect(
      parseConfig(processSchema, { JWT_SECRET: A_JWT_SECRET, SERVICE_TOKEN_SECRET: A_SERVICE_SECRET }),
    ).toMatchObject({
      JWT_SECRET: A_JWT_SECRET,
      SERVICE_TOKEN_SECRET: A_SERVICE_SECRET,
    });
  });
});

describe('natsConfigFrom', () => {
  it('when nothing is set, the streams have one replica', () => {
    expect(natsConfigFrom(parseConfig(processSchema, {})).streamReplicas).toBe(1);
  });

  it('when NATS_URL lists the servers of a cluster, each one is passed to the client on its own', () => {
    const config = natsConfigFrom(
      parseConfig(processSchema, {
        NATS_URL: 'nats://127.0.0.1:4222, nats://127.0.0.1:4223,127.0.0.1:4224',
        NATS_STREAM_REPLICAS: '3',
      }),
    );

    expect(natsServers(config.url)).toEqual(['nats://127.0.0.1:4222', 'nats://127.0.0.1:4223', '127.0.0.1:4224']);
    expect(config.streamReplicas).toBe(3);
  });
});

describe('authConfigFrom', () => {
  it('when in production without JWT_SECRET and SERVICE_TOKEN_SECRET, it refuses to start naming both', () => {
    const message = configErrorOf(() =>
      authConfigFrom(aProductionEnv({ JWT_SECRET: undefined, SERVICE_TOKEN_SECRET: undefined })),
    );

    expect(message).toContain('JWT_SECRET');
    expect(message).toContain('SERVICE_TOKEN_SECRET');
    expect(message).toContain('required in production');
  });

  it('when in production without JWT_SECRET, it refuses to start', () => {
    const message = configErrorOf(() => authConfigFrom(aProductionEnv({ JWT_SECRET: undefined })));

    expect(message).toContain('JWT_SECRET');
    expect(message).not.toContain('SERVICE_TOKEN_SECRET');
  });

  it('when in production without SERVICE_TOKEN_SECRET, it refuses to start', () => {
    const message = configErrorOf(() => authConfigFrom(aProductionEnv({ SERVICE_TOKEN_SECRET: undefined })));

    expect(message).toContain('SERVICE_TOKEN_SECRET');
    expect(message).not.toMatch(/\bJWT_SECRET/);
  });

  it('when in production with both secrets, it uses them', () => {
    expect(authConfigFrom(aProductionEnv())).toMatchObject({
      jwtSecret: A_JWT_SECRET,
      serviceTokenSecret: A_SERVICE_SECRET,
    });
  });

  it('when in production with a JWKS URL instead of JWT_SECRET, it starts and verifies user tokens with the JWKS', () => {
    const config = authConfigFrom(
      aProductionEnv({ JWT_SECRET: undefined, JWT_JWKS_URL: 'https://id.example.com/.well-known/jwks.json' }),
    );

    expect(config.jwksUrl).toBe('https://id.example.com/.well-known/jwks.json');
  });

  it('when not in production and no secrets are given, distinct development secrets of a valid length are used', () => {
    for (const NODE_ENV of ['development', 'test'] as const) {
      const config = authConfigFrom({ NODE_ENV, LOG_LEVEL: 'silent' });

      expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
      expect(config.serviceTokenSecret.length).toBeGreaterThanOrEqual(32);
      expect(config.jwtSecret).not.toBe(config.serviceTokenSecret);
    }
  });

  it('when issuer and audience are given, they are passed on', () => {
    expect(
      authConfigFrom(aProductionEnv({ JWT_ISSUER: 'https://id.example.com', JWT_AUDIENCE: 'ticketing' })),
    ).toMatchObject({
      issuer: 'https://id.example.com',
      audience: 'ticketing',
    });
  });
});

describe('values as .env and compose files write them', () => {
  it('when the service token secret equals the user token secret, it is refused', () => {
    expect(
      configErrorOf(() =>
        authConfigFrom(aProductionEnv({ JWT_SECRET: A_JWT_SECRET, SERVICE_TOKEN_SECRET: A_JWT_SECRET })),
      ),
    ).toContain('SERVICE_TOKEN_SECRET');
  });
});

describe('lifecycleConfigFrom: the admin port', () => {
  const lifecycleSchema = z.object({ ...commonEnv, ...lifecycleEnv, PORT: port(4000) });
  const adminPortOf = (env: Record<string, string>) => lifecycleConfigFrom(parseConfig(lifecycleSchema, env)).adminPort;

  it('is none (health and metrics on PORT) when unset or equal to PORT', () => {
    expect(adminPortOf({})).toBeUndefined();
    expect(adminPortOf({ PORT: '4000', ADMIN_PORT: '4000' })).toBeUndefined();
  });

  it('is ADMIN_PORT when it differs from PORT, 0 included (any free port)', () => {
    expect(adminPortOf({ ADMIN_PORT: '9400' })).toBe(9400);
    expect(adminPortOf({ PORT: '0', ADMIN_PORT: '0' })).toBe(0);
  });

  it('refuses a value that is not a port', () => {
    expect(namedVariables(configErrorOf(() => adminPortOf({ ADMIN_PORT: '70000' })))).toEqual(['ADMIN_PORT']);
  });
});
