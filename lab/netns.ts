// Network namespaces: one per control-plane node (netns qlab-cpN), a veth pair into bridge qlab0 in the
// root namespace (10.213.0.1/24), node IP 10.213.0.(10+N)/24 on eth0 inside. Partition = root-side veth down.
import { execFileSync, spawnSync } from 'node:child_process';
import { BRIDGE, BRIDGE_IP, SUBNET_BITS, type LabNode } from './topology';

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function ipQuiet(args: string[]): boolean {
  return spawnSync('ip', args, { stdio: 'ignore' }).status === 0;
}

export function listLabNetns(): string[] {
  return ip(['netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => n.startsWith('qlab-'));
}

function linkExists(name: string): boolean {
  return ipQuiet(['link', 'show', name]);
}

export function setupNetwork(nodes: LabNode[]): void {
  if (!linkExists(BRIDGE)) {
    ip(['link', 'add', BRIDGE, 'type', 'bridge']);
    ip(['addr', 'add', `${BRIDGE_IP}/${SUBNET_BITS}`, 'dev', BRIDGE]);
  }
  ip(['link', 'set', BRIDGE, 'up']);
  const existing = new Set(listLabNetns());
  for (const n of nodes) {
    if (!existing.has(n.netns)) ip(['netns', 'add', n.netns]);
    if (!linkExists(n.vethHost)) {
      ip(['link', 'add', n.vethHost, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.netns]);
      ip(['link', 'set', n.vethHost, 'master', BRIDGE]);
      ip(['-n', n.netns, 'addr', 'add', `${n.ip}/${SUBNET_BITS}`, 'dev', 'eth0']);
    }
    ip(['link', 'set', n.vethHost, 'up']);
    ip(['-n', n.netns, 'link', 'set', 'lo', 'up']);
    ip(['-n', n.netns, 'link', 'set', 'eth0', 'up']);
    ipQuiet(['-n', n.netns, 'route', 'add', 'default', 'via', BRIDGE_IP]);
  }
}

export function setPartition(node: LabNode, cut: boolean): void {
  ip(['link', 'set', node.vethHost, cut ? 'down' : 'up']);
}

export function isPartitioned(node: LabNode): boolean {
  if (!linkExists(node.vethHost)) return false;
  return !/[<,]UP[,>]/.test(ip(['link', 'show', node.vethHost]));
}

/** Pids of processes living in a lab netns (the ground truth for "nothing left"). */
export function netnsPids(netns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' });
  if (r.status !== 0) return [];
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

export function teardownNetwork(): void {
  for (const ns of listLabNetns()) ipQuiet(['netns', 'del', ns]);
  for (const l of ip(['-o', 'link', 'show']).split('\n')) {
    const m = /^\d+: (qlab[^:@]*)[@:]/.exec(l);
    if (m?.[1]) ipQuiet(['link', 'del', m[1]]);
  }
}

export function leftoverLinks(): string[] {
  return ip(['-o', 'link', 'show']).split('\n').map((l) => /^\d+: (qlab[^:@]*)[@:]/.exec(l)?.[1]).filter((x): x is string => !!x);
}

export function leftoverAddresses(): string[] {
  return ip(['-o', 'addr', 'show']).split('\n').filter((l) => l.includes('10.213.0.')).map((l) => l.trim());
}
