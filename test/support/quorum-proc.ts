// `npm start` (scripts/start.ts: migrate, build if needed, `next start` + the collector) as a child
// process for the fault tests, with the collector's JSON log lines parsed as they come.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import type { StoredSeries } from './stored-samples';

const root = path.resolve(import.meta.dirname, '..', '..');

export type LogLine = Record<string, unknown>;

export interface QuorumProc {
  child: ChildProcess;
  base: string;
  /** Every collector log line so far. */
  lines: LogLine[];
  /** Resolves with the first collector line from now on that matches. */
  waitFor(pred: (l: LogLine) => boolean, ms: number, what: string): Promise<LogLine>;
  /** SIGTERM, wait for the exit (the collector flushes what it can on the way out). */
  stop(): Promise<number | null>;
  output(): string;
}

/** Starts Quorum on 127.0.0.1:`port` with `env` on top of this process's environment (`args`: more start.ts flags, e.g. --no-collector). */
export async function startQuorum(port: number, env: Record<string, string>, readyMs = 600_000, args: string[] = []): Promise<QuorumProc> {
  // node itself with tsx's loader, so child.pid IS start.ts (it stops its own children on SIGTERM).
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'start.ts'), '--port', String(port), ...args], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: Array<{ pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  let out = '';
  let buf = '';
  const onText = (d: Buffer): void => {
    const s = d.toString();
    out = (out + s).slice(-200_000);
    buf += s;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!text.startsWith('{')) continue;
      let l: LogLine;
      try {
        l = JSON.parse(text) as LogLine;
      } catch {
        continue;
      }
      if (l.svc !== 'collector') continue;
      lines.push(l);
      for (const w of [...waiters]) {
        if (w.pred(l)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    }
  };
  child.stdout!.on('data', onText);
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  while (!out.includes('Quorum is running')) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}): ${out.slice(-2000)}`);
    if (Date.now() - started > readyMs) throw new Error(`npm start not ready within ${readyMs} ms: ${out.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    base,
    lines,
    output: () => out,
    waitFor: (pred, ms, what) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`collector: no "${what}" within ${ms} ms; last lines: ${JSON.stringify(lines.slice(-3))}`)), ms);
        waiters.push({
          pred,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
      }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface Timed {
  status: number;
  ms: number;
  body: string;
}

/** One GET (or a request with `init`), timed; a request that does not answer in `limitMs` reads status 0. */
export async function timed(url: string, init: RequestInit = {}, limitMs = 20_000): Promise<Timed> {
  const t = performance.now();
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(limitMs), cache: 'no-store' });
    const body = await r.text();
    return { status: r.status, ms: Math.round(performance.now() - t), body };
  } catch (e) {
    return { status: 0, ms: Math.round(performance.now() - t), body: String(e) };
  }
}

/** `npm run quorum -- …` (the CLI) with `env`, asynchronously (the test's own requests go on meanwhile); exit code and output. */
export function cli(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number | null; out: string; ms: number }> {
  const t = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'quorum.ts'), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin!.end(input);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, out, ms: Math.round(performance.now() - t) });
    });
  });
}

export const isCycle = (l: LogLine): boolean => l.event === 'cycle';

/** Request headers of a signed-in caller: the API token for API routes, the session cookie for pages. */
export interface SignedIn {
  api: Record<string, string>;
  page: Record<string, string>;
}

/**
 * Signs in as a real user, no bypass: an admin account and an API token made with the real CLI
 * (`user add --password-stdin`, `token create`, straight into the server's database), then a real
 * POST /api/auth/login for the session cookie. Both live in the database, so they outlast a restart
 * of the server on the same database. Call it once per database, while the database answers.
 */
export async function signIn(base: string, env: Record<string, string>, name = 'fault-admin'): Promise<SignedIn> {
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const user = await cli(['user', 'add', name, '--role', 'admin', '--password-stdin'], env, `${password}\n`);
  if (user.code !== 0) throw new Error(`quorum user add failed:\n${user.out}`);
  const tok = await cli(['token', 'create', '--name', `${name}-token`, '--role', 'admin'], env);
  const token = /qrm_[A-Za-z0-9_-]{43}/.exec(tok.out)?.[0];
  if (tok.code !== 0 || !token) throw new Error(`quorum token create failed:\n${tok.out}`);
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { origin: base, 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.includes('quorum-session='));
  if (res.status !== 200 || !cookie) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const signedIn = { api: { authorization: `Bearer ${token}` }, page: { cookie } };
  // Both work (and this server has seen them, as it would have seen a dashboard's or a scraper's).
  for (const h of [signedIn.api, signedIn.page]) {
    const me = await fetch(`${base}/api/auth/me`, { headers: h });
    if (me.status !== 200) throw new Error(`GET /api/auth/me with ${Object.keys(h)[0]} answered ${me.status}: ${await me.text()}`);
  }
  return signedIn;
}

/** A kubeconfig for a cluster on a closed loopback port: every probe really runs and answers `down`/`unknown` at once. */
export function closedPortKubeconfig(port: number): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
    clusters: [{ name: 'cluster', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'user', user: { token: 'fault-test' } }],
    contexts: [{ name: 'c', context: { cluster: 'cluster', user: 'user' } }],
  });
}

/**
 * The exactly-once check against the collector's own cycle log, on what the database holds now that
 * Sample rows are runs (test/support/stored-samples.ts `storedSeries`):
 * - the runs count as many samples of the cluster as the cycle lines produced (a lost sample makes it
 *   fewer, one stored twice more), and so do the minute rollups;
 * - every cycle that started in [fromMs, toMs) has its apiserver-readyz sample (stamped at probe start,
 *   within the cycle's interval): exactly by the cursor's last sample times where they reach back, and
 *   before that by the readyz minute rollups, each between the cycles whose sample must fall in that
 *   minute and the cycles whose sample may.
 */
export function checkEveryCycleStoredOnce(series: StoredSeries[], cycles: LogLine[], window: { fromMs: number; toMs: number; intervalMs: number }): { inWindow: number; stored: number } {
  const produced = cycles.reduce((a, c) => a + Number(c.samples), 0);
  const stored = series.reduce((a, s) => a + s.samples, 0);
  if (stored !== produced) throw new Error(`the database holds ${stored} samples; the cycle lines produced ${produced}`);
  const readyz = series.find((s) => s.probe === 'apiserver-readyz');
  if (!readyz) throw new Error('no apiserver-readyz series stored');
  if (new Set(readyz.recent).size !== readyz.recent.length) throw new Error('a readyz sample time stored twice');
  const starts = cycles.filter((c) => Number(c.clusters) > 0).map((c) => Date.parse(String(c.startedAt)));
  const inWindow = starts.filter((s) => s >= window.fromMs && s < window.toMs);
  const oldestRecent = Math.min(...readyz.recent);
  for (const s of inWindow.filter((x) => x >= oldestRecent)) {
    if (!readyz.recent.some((t) => t >= s && t < s + window.intervalMs)) throw new Error(`the cycle that started ${new Date(s).toISOString()} has no readyz sample stored`);
  }
  const MINUTE = 60_000;
  for (const m of new Set(inWindow.filter((x) => x < oldestRecent).map((x) => Math.floor(x / MINUTE) * MINUTE))) {
    const must = starts.filter((s) => s >= m && s + window.intervalMs <= m + MINUTE).length;
    const may = starts.filter((s) => s + window.intervalMs > m && s < m + MINUTE).length;
    const got = readyz.minutes.find((x) => x.startMs === m)?.samples ?? 0;
    if (got < must || got > may) throw new Error(`readyz samples of the minute ${new Date(m).toISOString()}: ${got}, the cycles say ${must}–${may}`);
  }
  return { inWindow: inWindow.length, stored: readyz.samples };
}

/**
 * Points this process at `env` (the same the Quorum child gets), migrates, and registers one cluster
 * on a closed loopback port (the fault tests' probe target). Returns its id; the handle is closed again.
 */
export async function registerClosedPortCluster(name: string, env: Record<string, string>, port: number): Promise<string> {
  Object.assign(process.env, env);
  const { migrate } = await import('@/lib/db/migrate');
  const { createCluster } = await import('@/lib/data/clusters');
  const { closeDb } = await import('@/lib/db');
  await migrate({ quiet: true });
  const id = (await createCluster({ name, server: `https://127.0.0.1:${port}`, context: 'c', labels: {}, kubeconfigYaml: closedPortKubeconfig(port) })).id;
  await closeDb();
  return id;
}
