// Shared by the lab suites that check failovers against an independent observer: `kubectl get lease -w
// -o json` (quorum identity) recording every update of the control-plane Leases, and the takeovers in
// that recording (old holder's last renewTime → new acquireTime), computed here without lib/.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const labState = path.resolve(process.env.QUORUM_LAB_STATE ?? path.join(root, 'lab', '.state'));
export const quorumKubeconfig = path.join(labState, 'quorum.kubeconfig');
const kubectl = path.join(root, 'lab', '.bin', 'kubectl');
export const WATCHED = ['kube-scheduler', 'kube-controller-manager'] as const;
export type Component = (typeof WATCHED)[number];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One Lease update as kubectl printed it. */
export interface Seen {
  name: string;
  holder: string;
  renewTime: string | null;
  acquireTime: string | null;
  leaseDurationSeconds: number | null;
  resourceVersion: string;
}

/** µs since epoch from a MicroTime string, computed here independently of lib/. */
export function micros(s: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)\.(\d{6})Z$/.exec(s);
  assert.ok(m, `unexpected MicroTime ${s}`);
  return Date.parse(`${m[1]}Z`) * 1000 + Number(m[2]);
}

/** The observer: kubectl's JSON stream split into objects (pretty-printed objects, one after another). */
export class Observer {
  readonly seen: Seen[] = [];
  private proc: ChildProcess;
  private buf = '';
  private depth = 0;
  private inString = false;
  private escape = false;
  private start = -1;
  stderr = '';

  constructor() {
    this.proc = spawn(kubectl, ['--kubeconfig', quorumKubeconfig, '-n', 'kube-system', 'get', 'lease', '-w', '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.setEncoding('utf8').on('data', (d: string) => this.feed(d));
    this.proc.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
  }

  private feed(chunk: string): void {
    for (const ch of chunk) {
      const i = this.buf.length;
      this.buf += ch;
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (ch === '\\') this.escape = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{') {
        if (this.depth++ === 0) this.start = i;
      } else if (ch === '}' && --this.depth === 0) {
        this.take(JSON.parse(this.buf.slice(this.start, i + 1)) as { metadata: { name: string; resourceVersion: string }; spec?: Record<string, unknown> });
        this.buf = '';
      }
    }
  }

  private take(o: { metadata: { name: string; resourceVersion: string }; spec?: Record<string, unknown> }): void {
    if (!(WATCHED as readonly string[]).includes(o.metadata.name)) return;
    const spec = o.spec ?? {};
    this.seen.push({
      name: o.metadata.name,
      holder: typeof spec.holderIdentity === 'string' ? spec.holderIdentity : '',
      renewTime: typeof spec.renewTime === 'string' ? spec.renewTime : null,
      acquireTime: typeof spec.acquireTime === 'string' ? spec.acquireTime : null,
      leaseDurationSeconds: typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : null,
      resourceVersion: o.metadata.resourceVersion,
    });
  }

  of(name: Component): Seen[] {
    return this.seen.filter((s) => s.name === name);
  }

  stop(): void {
    this.proc.kill('SIGTERM');
  }
}

export interface Expected {
  lease: string;
  previousHolder: string;
  newHolder: string;
  gapMs: number;
  released: boolean;
  newAcquireTime: string;
}

/** Takeovers in kubectl's recording: a new non-empty holder after another one held the Lease. */
export function takeovers(records: readonly Seen[]): Expected[] {
  const out: Expected[] = [];
  let last: { holder: string; renewTime: string | null } | null = null;
  let released = false;
  for (const r of records) {
    if (!r.holder) {
      released = last !== null;
      continue;
    }
    if (last && r.holder !== last.holder) {
      assert.ok(last.renewTime && r.acquireTime, `kubectl record without times: ${JSON.stringify(r)}`);
      out.push({ lease: `kube-system/${r.name}`, previousHolder: last.holder, newHolder: r.holder, gapMs: (micros(r.acquireTime) - micros(last.renewTime)) / 1000, released, newAcquireTime: r.acquireTime });
    }
    if (!last || r.holder !== last.holder || r.renewTime !== last.renewTime) last = { holder: r.holder, renewTime: r.renewTime };
    released = false;
  }
  return out;
}

/** Waits until kubectl has seen the current holder renew at least twice (a live leader, not a stale record). */
export async function liveHolder(obs: Observer, name: Component, deadlineMs = 60_000): Promise<string> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const recs = obs.of(name);
    const cur = recs.at(-1);
    if (cur?.holder) {
      const sameHolder = recs.filter((r) => r.holder === cur.holder).map((r) => r.renewTime);
      if (new Set(sameHolder).size >= 2 && cur.renewTime && Date.now() - micros(cur.renewTime) / 1000 < (cur.leaseDurationSeconds ?? 8) * 1000) return cur.holder;
    }
    await sleep(250);
  }
  assert.fail(`${name}: no live holder within ${deadlineMs} ms; kubectl saw ${JSON.stringify(obs.of(name).slice(-3))}`);
}

export async function newHolderAfter(obs: Observer, name: Component, old: string, deadlineMs = 60_000): Promise<string> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const cur = obs.of(name).at(-1);
    if (cur?.holder && cur.holder !== old) return cur.holder;
    await sleep(200);
  }
  assert.fail(`${name}: ${old} was not replaced within ${deadlineMs} ms`);
}

