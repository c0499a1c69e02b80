import { describe, expect, it } from '@jest/globals';
import { tracingEnabled, tracingRequested } from './telemetry.ts';

describe('tracingRequested', () => {
  it('is off by default, and with an endpoint left empty', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(tracingRequested({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' })).toBe(
      false,
    );
  });

  it('is on once an exporter is named: an OTLP endpoint, one for traces, or OTEL_TRACES_EXPORTER', () => {
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://localhost:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' })).toBe(
      false,
    );
  });

  it('stays off with OTEL_SDK_DISABLED=true, whatever else is set', () => {
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' })).toBe(
      false,
    );
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' })).toBe(
      true,
    );
  });

  it('starts nothing in a process that did not start it', () => {
    expect(tracingEnabled()).toBe(false);
  });
});
