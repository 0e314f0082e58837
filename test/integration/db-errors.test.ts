// The database errors of test/unit/db-errors.test.ts, provoked live: our own throw-away PostgreSQL 15
// (deadlock, serialization, read-only, lock and statement timeouts, administrator shutdown, too many
// connections, a tablespace on a full tmpfs, a SIGSTOPped server), the shared one for a wrong password,
// and real SQLite files. Each must classify as the fixture says — so the fixtures stay what the
// databases really send.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classifyDbError } from '@/lib/db/errors';
import { closeDb } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { loadEnv } from '@/lib/env';
import { postgresCases, sqliteCases, type Case } from '../support/db-error-cases';
import { startOwnPg, type OwnPg } from '../support/own-pg';

const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
let own: OwnPg;
const dir = mkdtempSync(path.join(os.tmpdir(), 'quorum-db-errors-'));
const savedKey = process.env.QUORUM_SECRET_KEY;

before(async () => {
  process.env.QUORUM_SECRET_KEY = randomBytes(32).toString('hex');
  own = await startOwnPg('quorum-db-errors', ['errs']);
  await migrate({ quiet: true, db: loadEnv({ DATABASE_URL: own.url('errs') }).db });
  await migrate({ quiet: true, db: loadEnv({ DATABASE_URL: `file:${path.join(dir, 'main.db')}` }).db });
});

after(async () => {
  await closeDb();
  own?.remove();
  rmSync(dir, { recursive: true, force: true });
  if (savedKey === undefined) delete process.env.QUORUM_SECRET_KEY;
  else process.env.QUORUM_SECRET_KEY = savedKey;
});

async function check(c: Case): Promise<void> {
  const e = await c.provoke();
  const err = classifyDbError(e);
  assert.equal(err.kind, c.expect.kind, `${c.name}: ${err.message}`);
  assert.equal(err.dbCode, c.expect.dbCode, `${c.name}: database code (${err.message})`);
}

const asRoot = process.getuid?.() === 0;
const sharedUrl = process.env.QUORUM_TEST_PG_URL;

test('PostgreSQL: every error provoked live classifies as its fixture says', { timeout: 120_000 }, async (t) => {
  for (const c of postgresCases(own, 'errs', sharedUrl)) {
    if (c.needsRoot && !asRoot) {
      t.diagnostic(`skipped (needs root): ${c.name}`);
      continue;
    }
    if (c.name.includes('wrong password') && !sharedUrl) {
      assert.ok(!IN_CI, 'QUORUM_TEST_PG_URL is needed in CI for the wrong-password case');
      t.diagnostic(`skipped (QUORUM_TEST_PG_URL not set): ${c.name}`);
      continue;
    }
    await check(c);
  }
});

test('SQLite: every error provoked live classifies as its fixture says', { timeout: 60_000 }, async () => {
  for (const c of sqliteCases(dir)) await check(c);
});
