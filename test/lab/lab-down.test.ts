// `lab down` leaves nothing: no lab process (checked in /proc, not in the lab's bookkeeping), no network
// namespace, link or 10.213.0.x address, and the LB port closed. Runs LAST (it takes the lab away).
// Run: npx tsx --test test/lab/lab-down.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const state = path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state'));

function labCli(...args: string[]): Record<string, unknown> {
  const out = execFileSync(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'lab', 'cli.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 240_000, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 1, out);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

/** Every process whose executable lives in the lab's binary folder, or whose command line names the lab's files. */
function labProcesses(): string[] {
  // lab/.bin is a folder of links into the per-version build cache: /proc/<pid>/exe names the cache file.
  const binDir = path.join(root, 'lab', '.bin');
  const binaries = new Set(readdirSync(binDir).map((f) => realpathSync(path.join(binDir, f))));
  const found: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      const exe = readlinkSync(`/proc/${d}/exe`);
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
      if (binaries.has(exe) || cmd.includes(path.join(state, 'conf')) || cmd.includes(path.join(root, 'lab', 'supervisor.ts')) || cmd.includes(path.join(root, 'lab', 'workers.ts'))) {
        found.push(`${d}: ${cmd.slice(0, 120)}`);
      }
    } catch { /* exited or kernel thread */ }
  }
  return found;
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 1000 }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
    s.on('timeout', () => { s.destroy(); resolve(false); });
  });
}

test('down stops every lab process and removes namespaces, links and addresses', { timeout: 240_000 }, async () => {
  const up = labCli('up', '--profile', 'ha');
  assert.equal(up.ready, true);
  const before = labProcesses();
  assert.ok(before.length >= 15, `the running lab is visible in /proc (${before.length} processes)`);
  const statePids = (JSON.parse(readFileSync(path.join(state, 'state.json'), 'utf8')) as { supervisorPid: number; procs: Array<{ pid: number | null }> });
  const pids = [statePids.supervisorPid, ...statePids.procs.map((p) => p.pid).filter((p): p is number => !!p)];

  const r = labCli('down');
  assert.equal(r.down, true, JSON.stringify(r));
  assert.deepEqual(labProcesses(), [], 'no lab process is left');
  for (const pid of pids) {
    const alive = existsSync(`/proc/${pid}`) && !/ Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (alive) {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      assert.ok(!cmd.includes('quorum-lab') && !cmd.includes('lab/'), `pid ${pid} still runs: ${cmd}`);
    }
  }
  assert.equal(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('qlab-')).length, 0, 'no qlab netns');
  assert.doesNotMatch(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }), /\d+: qlab/, 'no qlab links');
  assert.doesNotMatch(execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' }), /10\.213\.0\./, 'no lab addresses');
  assert.equal(await portOpen('127.0.0.1', 16443), false, 'the LB port is closed');
  assert.equal(existsSync(path.join(state, 'state.json')), false);

  const again = labCli('down');
  assert.equal(again.down, true, 'down is idempotent');
});
