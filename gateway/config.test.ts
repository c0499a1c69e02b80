/** This process's configuration, read from the environment as the process reads it. */
import { describe, expect, it } from '@jest/globals';
import { loadGatewayConfig } from './config.ts';

describe('listen addresses', () => {
  it('the gateway, the one process meant to be reached, listens on every interface by default', () => {
    expect(loadGatewayConfig({}).host).toBe('0.0.0.0');
  });
});

describe('trusted documents', () => {
  it('are off by default, and read the committed manifest in allow and require', () => {
    expect(loadGatewayConfig({}).trustedDocuments).toEqual({ mode: 'off', manifest: undefined });
    const required = loadGatewayConfig({ TRUSTED_DOCUMENTS: 'require' }).trustedDocuments;
    expect(required.mode).toBe('require');
    expect(required.manifest?.operations.length).toBeGreaterThan(0);
  });

  it('refuse an unknown mode, and a manifest that cannot be read', () => {
    expect(() => loadGatewayConfig({ TRUSTED_DOCUMENTS: 'strict' })).toThrow(/TRUSTED_DOCUMENTS/);
    expect(() =>
      loadGatewayConfig({ TRUSTED_DOCUMENTS: 'allow', TRUSTED_DOCUMENTS_MANIFEST: '/nonexistent.json' }),
    ).toThrow(/cannot read \/nonexistent.json/);
  });
});
