/**
 * Unit tests reach no service: without the URLs that only the integration tier's global setup
 * provides, a unit test that reaches for PostgreSQL or NATS fails instead of finding the machine's.
 */
delete process.env.TEST_DATABASE_URL;
delete process.env.TEST_NATS_URL;
