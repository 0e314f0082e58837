// Shared by the integration suites: each provider gets a fresh database of its own — a SQLite file in
// a temp folder, or a PostgreSQL schema on QUORUM_TEST_PG_URL — migrated from empty before the suite
// and removed after it, with the environment restored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { closeDb } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import type { Provider } from '@/lib/db/schema';
import { setEnv } from '../support/with-env';

export const PG_URL = process.env.QUORUM_TEST_PG_URL;
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** Inside a describe(): points the process at a fresh, migrated database; `setup` runs after migrating. */
export function useProviderDb(provider: Provider, prefix: string, setup?: () => Promise<void>): void {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-${provider}-`));
  const pgSchema = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(6).toString('hex')}`;
  const saved = { DATABASE_URL: process.env.DATABASE_URL, QUORUM_DATA_DIR: process.env.QUORUM_DATA_DIR, QUORUM_SECRET_KEY: process.env.QUORUM_SECRET_KEY };

  before(async () => {
    await closeDb();
    process.env.QUORUM_DATA_DIR = dataDir;
    process.env.QUORUM_SECRET_KEY = randomBytes(32).toString('hex');
    if (provider === 'postgresql') process.env.DATABASE_URL = `${PG_URL}${PG_URL!.includes('?') ? '&' : '?'}schema=${pgSchema}`;
    else delete process.env.DATABASE_URL;
    await migrate({ quiet: true });
    await setup?.();
  });

  after(() => dropProviderDb({ provider, pgSchema, dataDir, saved }));
}

/** Closes the handle, restores the saved environment, drops the suite's PostgreSQL schema and removes its data folder. */
export async function dropProviderDb(o: { provider: Provider; pgSchema: string; dataDir: string; saved: Record<string, string | undefined> }): Promise<void> {
  await closeDb();
  setEnv(o.saved);
  if (o.provider === 'postgresql') {
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${o.pgSchema}" CASCADE`);
    await c.end();
  }
  rmSync(o.dataDir, { recursive: true, force: true });
}

/** Runs `suite` on SQLite, and on PostgreSQL when QUORUM_TEST_PG_URL is set (in CI its absence is a failure, not a skip). */
export function forEachProvider(title: string, suite: (provider: Provider) => void): void {
  describe(`${title} on SQLite`, () => suite('sqlite'));
  if (PG_URL) describe(`${title} on PostgreSQL`, () => suite('postgresql'));
  else if (IN_CI) test(`${title} on PostgreSQL needs QUORUM_TEST_PG_URL in CI`, () => assert.fail('QUORUM_TEST_PG_URL is not set (scripts/pg-test-setup.sh prints it)'));
  else test(`${title} on PostgreSQL`, { skip: 'QUORUM_TEST_PG_URL is not set' }, () => undefined);
}
