/**
 * Where the integration tests find PostgreSQL and NATS JetStream. The global setup of the tiers
 * that need them sets TEST_DATABASE_URL and TEST_NATS_URL (configured, found at the default
 * addresses, or started for the run) before any test process starts; a test outside those tiers
 * that reaches for a service fails here.
 */
export function testDatabaseUrl(): string {
  return provided('TEST_DATABASE_URL', 'PostgreSQL');
}

export function testNatsUrl(): string {
  return provided('TEST_NATS_URL', 'NATS');
}

function provided(variable: string, service: string): string {
  const url = process.env[variable];
  if (!url) {
    throw new Error(
      `${variable} is not set: this test needs ${service}, which only the integration tier's global setup provides (unit tests reach no service)`,
    );
  }
  return url;
}

/** Per test run: names of template databases (migrated once) that test databases are cloned from. */
export function templateDatabaseName(schema: string, runId: string): string {
  return `tmpl_${schema}_${runId}`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
