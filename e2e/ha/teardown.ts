// Drops the PostgreSQL schema of the HA e2e run (playwright.ha.config.ts).
import pg from 'pg';

export default async function teardown(): Promise<void> {
  const url = process.env.QUORUM_TEST_PG_URL;
  const schema = process.env.QUORUM_HA_E2E_SCHEMA;
  if (!url || !schema || !/^e2e_ha_[0-9a-f]+$/.test(schema)) return;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}
