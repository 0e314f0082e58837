// /reports in a real browser: a seeded cluster (real write path) with a 7-minute etcd outage and a
// 1-hour maintenance. Checks the page, the CSV download, the JSON route, and prints the page to PDF
// (page.pdf) and reads the PDF's text back with pdf.js.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '../support/fixtures';

const NAME = `report-e2e-${Date.now().toString(36)}`;
let clusterId = '';

test.beforeAll(() => {
  const out = execFileSync(path.resolve('node_modules/.bin/tsx'), ['scripts/e2e-seed-report.ts', NAME], {
    env: { ...process.env, QUORUM_DATA_DIR: process.env.QUORUM_REPORTS_E2E_DATA_DIR, DATABASE_URL: '' },
    encoding: 'utf8',
  });
  clusterId = (JSON.parse(out.trim().split('\n').at(-1)!) as { clusterId: string }).clusterId;
  expect(clusterId).toMatch(/^[0-9a-f-]{36}$/);
});

async function pdfText(bytes: Buffer): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false });
  const doc = await task.promise;
  let text = '';
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    text += `${content.items.map((it) => ('str' in it ? it.str : '')).join(' ')}\n`;
  }
  await task.destroy();
  return text;
}

test('cluster report for October 2026: SLO table, outage row, maintenance, failovers; CSV, JSON and PDF', async ({ page, request }, testInfo) => {
  await page.goto(`/reports?cluster=${clusterId}&period=2026-10`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${NAME} error-budget report — October 2026`);
  const slo = page.getByRole('table', { name: `Availability vs SLO, ${NAME}` });
  await expect(slo.getByRole('row', { name: /Control plane \(composite\)/ })).toContainText('99.9 %');
  const outages = page.getByRole('table', { name: `Outage intervals of ${NAME} (bad time outside maintenance)` });
  await expect(outages.getByRole('row')).toHaveCount(2);
  await expect(outages.getByRole('row').nth(1)).toContainText('2026-10-14 06:00:00 UTC');
  await expect(outages.getByRole('row').nth(1)).toContainText('2026-10-14 06:07:00 UTC');
  await expect(outages.getByRole('row').nth(1)).toContainText('readyz failed: etcd');
  await expect(page.getByRole('table', { name: `Maintenance windows of ${NAME}` })).toContainText('control-plane upgrade');
  await expect(page.getByRole('table', { name: `Maintenance windows of ${NAME}` })).toContainText('retroactive · cli:e2e-seed');
  const failovers = page.getByRole('table', { name: `Failovers of ${NAME}` });
  await expect(failovers.getByRole('row')).toHaveCount(2);
  await expect(failovers.getByRole('row').nth(1)).toContainText('kube-scheduler');
  await expect(failovers.getByRole('row').nth(1)).toContainText('crash');
  await expect(failovers.getByRole('row').nth(1)).toContainText('cp1_aaaa → cp2_bbbb');
  await expect(failovers.getByRole('row').nth(1)).toContainText('9.25 s');
  await page.screenshot({ path: testInfo.outputPath('report.png'), fullPage: true });

  // CSV download from the page's link.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toBe(`quorum-report-${NAME}-2026-10.csv`);
  const csvPath = testInfo.outputPath('report.csv');
  await download.saveAs(csvPath);
  const csv = (await import('node:fs')).readFileSync(csvPath, 'utf8');
  expect(csv).toContain(`outage,${NAME},control-plane,2026-10-14T06:00:00.000Z,2026-10-14T06:07:00.000Z,420,readyz failed: etcd`);
  expect(csv).toContain(`failover,${NAME},kube-scheduler,2026-10-14T06:00:00.250001Z,2026-10-14T06:00:09.500123Z,9.250122,crash: cp1_aaaa -> cp2_bbbb`);
  // The seed creates this October window now, i.e. after it started: marked retroactive with its author (issue 10).
  expect(csv).toContain(`maintenance,${NAME},,2026-10-14T10:00:00.000Z,2026-10-14T11:00:00.000Z,3600,"control-plane upgrade [retroactive, created by cli:e2e-seed]"`);

  // The same data as JSON.
  const res = await request.get(`/api/reports?cluster=${clusterId}&period=2026-10`);
  expect(res.status()).toBe(200);
  const json = (await res.json()) as { clusters: Array<{ outages: Array<{ durationMs: number }>; rows: Array<{ component: string; badMs: number }> }> };
  expect(json.clusters[0]!.outages.map((o) => o.durationMs)).toEqual([420_000]);
  expect(json.clusters[0]!.rows.find((r) => r.component === 'control-plane')!.badMs).toBe(420_000);
  expect((await request.get('/api/reports?period=2026-13')).status()).toBe(400);
  expect((await request.get('/api/reports?cluster=nope&period=2026-10')).status()).toBe(404);

  // Print: the print stylesheet hides navigation and the picker; the PDF carries the report.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('link', { name: 'Download CSV' })).toBeHidden();
  const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: false });
  writeFileSync(testInfo.outputPath('report.pdf'), pdf);
  expect(pdf.byteLength).toBeGreaterThan(5_000);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const text = await pdfText(pdf);
  expect(text).toContain(NAME);
  expect(text).toContain('readyz failed: etcd');
  expect(text).toContain('2026-10-14 06:00:00 UTC');
  expect(text).toContain('cp2_bbbb'); // the failover row (pdf.js may split the arrow into its own text run)
  expect(text).not.toContain('Download CSV');
});
