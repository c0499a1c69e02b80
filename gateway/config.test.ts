/** This process's configuration, read from the environment as the process reads it. */
import { describe, expect, it } from '@jest/globals';
import { loadGatewayConfig } from './config.ts';

describe('listen addresses', () => {
  it('the gateway, the one process meant to be reached, listens on every interface by default', () => {
    expect(loadGatewayConfig({}).host).toBe('0.0.0.0');
  });
});
