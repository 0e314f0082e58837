// A cluster whose stored credentials were encrypted with another key shows that as its state on the
// overview (a "credentials" badge and the key ids), not as a silent "unknown". The envelope is replaced
// in the server's SQLite file with one made by the real lib/secrets.ts under a different key.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { encryptSecret, keyId } from '../../lib/secrets';
import { expect, test } from '../support/fixtures';

const NAME = `cred-e2e-${Date.now().toString(36)}`;

test('credentials encrypted with a different key: the overview names it, with both key ids', async ({ page }) => {
  const dataDir = process.env.QUORUM_REPORTS_E2E_DATA_DIR!;
  const out = execFileSync(path.resolve('node_modules/.bin/tsx'), ['scripts/e2e-seed-report.ts', NAME], { env: { ...process.env, QUORUM_DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8' });
  const clusterId = (JSON.parse(out.trim().split('\n').at(-1)!) as { clusterId: string }).clusterId;
  const db = new Database(path.join(dataDir, 'quorum.db'), { timeout: 5000 });
  try {
    const original = (db.prepare('SELECT credentials FROM "Cluster" WHERE id = ?').get(clusterId) as { credentials: Buffer }).credentials;
    const other = randomBytes(32);
    db.prepare('UPDATE "Cluster" SET credentials = ? WHERE id = ?').run(encryptSecret('apiVersion: v1', clusterId, other), clusterId);
    await page.goto('/');
    const card = page.getByRole('table', { name: 'Clusters' }).locator(`tr[data-cluster="${NAME}"]`);
    await expect(card.getByTestId('credentials-state')).toHaveText(/credentials/);
    await expect(card.getByTestId('cluster-status')).toHaveAttribute('data-status', 'unknown');
    await expect(card.getByTestId('cluster-reason')).toContainText(`credentials cannot be decrypted: encrypted with key ${keyId(other)}, the configured key is `);
    // Restored: the badge goes away.
    db.prepare('UPDATE "Cluster" SET credentials = ? WHERE id = ?').run(original, clusterId);
    await page.reload();
    await expect(card.getByTestId('credentials-state')).toHaveCount(0);
  } finally {
    db.close();
  }
});
