// `npm start`: the embedded default in one command. Migrates the database, checks the credentials key
// (refuses to start with a missing or different key), builds the web app if needed, prints a one-time
// setup link while no account exists, then runs the web server (scripts/web-server.ts) and the
// collector together; Ctrl-C stops both.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { COLLECTOR_NODE_FLAGS } from '@/lib/collector/node-flags';
import { pause } from '@/lib/deadline';
import { loadEnv, type QuorumEnv } from '@/lib/env';
import { QuorumError, describeError } from '@/lib/errors';
import { migrate } from '@/lib/db/migrate';
import { closeDb } from '@/lib/db';
import { checkKeysOnStart } from '@/lib/keys';
import { createSetupToken } from '@/lib/data/auth';
import { loadAuthConfig } from '@/lib/env';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string): string => path.join(root, 'node_modules', '.bin', name);

// One validated configuration for the web app and the collector: a bad variable stops here, named.
let env: QuorumEnv;
try {
  env = loadEnv();
} catch (e) {
  console.error(`error: ${e instanceof QuorumError ? e.message : describeError(e)}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: env.web.host },
    port: { type: 'string', default: String(env.web.port) },
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
// Every page and API route needs a signed-in user or an API token (README "Security"), so listening
// on another address needs no warning; a bad sign-in setting stops here with the variable named.
let authCfg: ReturnType<typeof loadAuthConfig>;
try {
  authCfg = loadAuthConfig();
} catch (e) {
  console.error(`[quorum] ${describeError(e)}`);
  process.exit(2);
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
  const sources = ['app', 'components', 'lib', 'proxy.ts', 'next.config.js', 'package.json'].map((p) => newestMtime(path.join(root, p)));
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
    await pause(200);
  }
  return false;
}

const SETUP_LINK_TTL_MS = 24 * 3_600_000;

async function main(): Promise<void> {
  const shown = host.includes(':') ? `[${host}]` : host;
  const base = authCfg.publicUrl?.origin ?? `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : shown}:${port}`;
  let setupLink: string | null = null;
  try {
    await migrate({ quiet: false });
    const keys = await checkKeysOnStart();
    if (keys.finishedRotation) console.log(`[quorum] finished an interrupted key rotation: key ${keys.keyId} is in place`);
    if (keys.undecryptable.length) console.warn(`[quorum] WARNING: the credentials of ${keys.undecryptable.join(', ')} cannot be decrypted with key ${keys.keyId}; they show as "credentials" on the overview`);
    const token = await createSetupToken(SETUP_LINK_TTL_MS);
    if (token) setupLink = `${base}/setup?token=${token}`;
  } catch (e) {
    console.error(`[quorum] cannot start: ${describeError(e)}`);
    process.exit(1);
  } finally {
    await closeDb().catch(() => undefined);
  }
  if (!values['no-build']) buildIfNeeded();

  const childEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  const children: ChildProcess[] = [];
  const web = spawn(bin('tsx'), [path.join(root, 'scripts', 'web-server.ts'), '--hostname', host, '--port', String(port)], { cwd: root, stdio: 'inherit', env: childEnv });
  children.push(web);
  if (!values['no-collector']) {
    children.push(spawn(process.execPath, [...COLLECTOR_NODE_FLAGS, '--import', 'tsx', path.join(root, 'lib', 'collector', 'main.ts')], { cwd: root, stdio: 'inherit', env: childEnv }));
  }
  let stopping = false;
  const stopAll = (code: number): void => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    // The web server lets requests in flight finish (QUORUM_SHUTDOWN_TIMEOUT_MS); the collector flushes.
    const hard = setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      process.exit(code);
    }, Math.max(10_000, env.web.shutdownTimeoutMs + 5000));
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
  const probeHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : shown;
  if (await waitForHealthy(`http://${probeHost}:${port}/api/healthz`, web)) {
    console.log(`[quorum] Quorum is running at ${authCfg.publicUrl?.origin ?? `http://${shown}:${port}`}  (Ctrl-C stops the web app and the collector)`);
    if (setupLink) {
      console.log(`[quorum] No account exists yet. Create the first admin with this one-time link (valid 24 h):\n\n    ${setupLink}\n\n         or on this machine: npm run quorum -- user add NAME --role admin`);
    }
  }
}

void main();
