// `npm start`: the embedded default in one command. Migrates the database, builds the web app if
// needed, then runs `next start` and the collector together; Ctrl-C stops both.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { COLLECTOR_NODE_FLAGS } from '@/lib/collector/config';
import { describeError } from '@/lib/errors';
import { migrate } from '@/lib/db/migrate';
import { closeDb } from '@/lib/db';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string): string => path.join(root, 'node_modules', '.bin', name);

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.QUORUM_HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'no-collector': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
  strict: true,
});
const host = values.host;
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`error: --port ${values.port} is not a TCP port`);
  process.exit(2);
}
const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
if (!loopback) {
  console.warn(`WARNING: Quorum has no sign-in yet and you asked it to listen on ${host}. Anyone who can reach this address can see your clusters' health and add or remove clusters. Put it behind an authenticating proxy.`);
}

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(p)) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    max = Math.max(max, newestMtime(path.join(p, e)));
  }
  return max;
}

function buildIfNeeded(): void {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  const sources = ['app', 'components', 'lib', 'next.config.js', 'package.json'].map((p) => newestMtime(path.join(root, p)));
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= Math.max(...sources)) return;
  console.log('[quorum] building the web app (next build)…');
  const r = spawnSync(bin('next'), ['build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) {
    console.error('[quorum] next build failed');
    process.exit(1);
  }
}

async function waitForHealthy(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 600 && child.exitCode === null; i++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200 || res.status === 503) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

async function main(): Promise<void> {
  try {
    await migrate({ quiet: false });
  } catch (e) {
    console.error(`[quorum] database migration failed: ${describeError(e)}`);
    process.exit(1);
  } finally {
    await closeDb().catch(() => undefined);
  }
  if (!values['no-build']) buildIfNeeded();

  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  const children: ChildProcess[] = [];
  const web = spawn(bin('next'), ['start', '--hostname', host, '--port', String(port)], { cwd: root, stdio: 'inherit', env });
  children.push(web);
  if (!values['no-collector']) {
    children.push(spawn(process.execPath, [...COLLECTOR_NODE_FLAGS, '--import', 'tsx', path.join(root, 'lib', 'collector', 'main.ts')], { cwd: root, stdio: 'inherit', env }));
  }
  let stopping = false;
  const stopAll = (code: number): void => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    const hard = setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      process.exit(code);
    }, 10_000);
    hard.unref();
    Promise.all(children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r))))).then(() => process.exit(code));
  };
  for (const c of children) {
    c.once('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[quorum] ${c === web ? 'web server' : 'collector'} exited (${signal ?? code}); stopping`);
        stopAll(1);
      }
    });
  }
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));
  const shown = host.includes(':') ? `[${host}]` : host;
  if (await waitForHealthy(`http://${shown}:${port}/api/healthz`, web)) {
    console.log(`[quorum] Quorum is running at http://${shown}:${port}  (Ctrl-C stops the web app and the collector)`);
  }
}

void main();
