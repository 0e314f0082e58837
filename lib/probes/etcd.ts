// etcd, directly: every registered client endpoint (and the advertised client URL of any member no
// registered endpoint reaches) gets GET /health and POST /v3/maintenance/status; the member list
// comes from the first endpoint that answers it. Quorum and fault tolerance: lib/etcd/quorum.ts.
// Without registered endpoints the probe returns nothing (etcd is then seen only through the
// apiserver's etcd readyz checks).
import { outboundPolicy } from '../net/outbound';
import { QuorumError, describeError } from '../errors';
import { parseEtcdHealth, parseEtcdStatus, parseMemberList, etcdHttpError, type EtcdClient, type EtcdHealth, type EtcdMember, type EtcdStatus } from '../etcd/client';
import { quorumState } from '../etcd/quorum';
import type { ErrorClass, ProbeResult, Status } from '../types';
import type { Probe, ProbeContext } from './types';

/** One endpoint's answers. */
export interface EndpointObservation {
  endpoint: string;
  /** Registered by the user, or found in the member list. */
  registered: boolean;
  health: EtcdHealth | QuorumError;
  status: EtcdStatus | QuorumError;
  latencyMs: number | null;
}

/** Failures that are the collector's side (credentials, TLS, not an etcd): unknown, never downtime. */
const COLLECTOR_SIDE: ReadonlySet<ErrorClass> = new Set(['tls-ca', 'tls-hostname', 'tls-other', 'unauthorized', 'forbidden', 'http-error', 'dns', 'internal']);

const asQe = (e: unknown): QuorumError => (e instanceof QuorumError ? e : new QuorumError('internal', describeError(e)));
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** What probing etcd needs (no Kubernetes connection: registration uses it too). */
export type EtcdProbeContext = Pick<ProbeContext, 'timeoutMs' | 'signal' | 'now'>;

/** A status answer that never came (no connection, no answer in time): asking the same endpoint for its health would only wait as long again. */
const NO_ANSWER: ReadonlySet<ErrorClass> = new Set(['unreachable', 'timeout', 'outbound-denied', 'dns']);

async function observe(client: EtcdClient, endpoint: string, registered: boolean, ctx: EtcdProbeContext): Promise<EndpointObservation> {
  const opts = { timeoutMs: ctx.timeoutMs, signal: ctx.signal };
  // One after the other on one kept-alive connection (in parallel they held two sockets per endpoint:
  // 10 per cluster with the apiservers' 4, now 7). Status first: the member answers it from its own
  // state, also without quorum, while /health waits on a read through raft.
  const s = await client.request(endpoint, '/v3/maintenance/status', { method: 'POST', ...opts }).then((r) => {
    if (r.status !== 200) throw etcdHttpError(r.status, '/v3/maintenance/status', r.body);
    return { r, v: parseEtcdStatus(r.body) };
  }).catch(asQe);
  const h = s instanceof QuorumError && NO_ANSWER.has(s.errorClass) ? s : await client.request(endpoint, '/health', { method: 'GET', ...opts }).then((r) => ({ r, v: parseEtcdHealth(r.status, r.body) })).catch(asQe);
  return {
    endpoint,
    registered,
    health: h instanceof QuorumError ? h : h.v,
    status: s instanceof QuorumError ? s : s.v,
    latencyMs: h instanceof QuorumError ? null : h.r.latencyMs,
  };
}

async function memberList(client: EtcdClient, endpoints: string[], ctx: EtcdProbeContext): Promise<EtcdMember[] | QuorumError> {
  let last: QuorumError = new QuorumError('unreachable', 'no etcd endpoint answered');
  for (const e of endpoints) {
    try {
      const r = await client.request(e, '/v3/cluster/member/list', { method: 'POST', timeoutMs: ctx.timeoutMs, signal: ctx.signal });
      if (r.status !== 200) throw etcdHttpError(r.status, '/v3/cluster/member/list', r.body);
      return parseMemberList(r.body);
    } catch (err) {
      last = asQe(err);
    }
  }
  return last;
}

function endpointStatus(o: EndpointObservation): { status: Status; reason: string; errorClass?: ErrorClass } {
  if (o.health instanceof QuorumError) {
    const cls = o.health.errorClass;
    return { status: COLLECTOR_SIDE.has(cls) ? 'unknown' : 'down', reason: `${cls}: ${o.health.message}`, errorClass: cls };
  }
  if (!o.health.healthy) return { status: 'down', reason: `unhealthy: ${o.health.reason}` };
  if (o.status instanceof QuorumError) return { status: 'degraded', reason: `healthy, but status unreadable: ${o.status.errorClass}: ${o.status.message}`, errorClass: o.status.errorClass };
  const s = o.status;
  const role = s.leader === s.memberId ? 'leader' : s.isLearner ? 'learner' : 'follower';
  const errs = s.errors.length ? `; errors: ${s.errors.join(', ')}` : '';
  return { status: s.errors.length ? 'degraded' : 'up', reason: `healthy ${role}; raft term ${s.raftTerm}; db ${mib(s.dbSize)}${errs}` };
}

/** Pure: observations + member list → one summary sample and one per member/endpoint. */
export function summarizeEtcd(observations: EndpointObservation[], members: EtcdMember[] | QuorumError, at: number): ProbeResult[] {
  const perEndpoint = observations.map((o) => ({ o, c: endpointStatus(o) }));
  const endpointSamples: ProbeResult[] = perEndpoint.map(({ o, c }) => ({
    probe: 'etcd',
    target: o.endpoint,
    status: c.status,
    reason: c.reason,
    latencyMs: o.latencyMs,
    at,
    detail: {
      ...(c.errorClass ? { errorClass: c.errorClass } : {}),
      facts: {
        registered: o.registered,
        ...(o.status instanceof QuorumError ? {} : { memberId: o.status.memberId, leader: o.status.leader, raftTerm: o.status.raftTerm, raftIndex: o.status.raftIndex, dbSize: o.status.dbSize, dbSizeInUse: o.status.dbSizeInUse, dbSizeQuota: o.status.dbSizeQuota, version: o.status.version, errors: o.status.errors }),
      },
    },
  }));

  if (members instanceof QuorumError) {
    // No endpoint told us the membership: count the registered endpoints as the members.
    const registered = perEndpoint.filter((p) => p.o.registered);
    const collectorSide = registered.every((p) => p.c.status === 'unknown');
    const q = quorumState(registered.length, 0, false);
    return [
      {
        probe: 'etcd',
        target: 'etcd',
        status: collectorSide ? 'unknown' : 'down',
        reason: collectorSide
          ? `cannot read etcd: ${members.errorClass}: ${members.message}`
          : `no etcd endpoint answers (${registered.length} registered): ${members.errorClass}: ${members.message}`,
        latencyMs: null,
        at,
        detail: { errorClass: members.errorClass, facts: { ...q, status: collectorSide ? 'unknown' : 'down', members: [] } },
      },
      ...endpointSamples,
    ];
  }

  const byMemberId = new Map<string, (typeof perEndpoint)[number]>();
  for (const p of perEndpoint) if (!(p.o.status instanceof QuorumError)) byMemberId.set(p.o.status.memberId, p);
  const byUrl = new Map(perEndpoint.map((p) => [p.o.endpoint, p]));
  const voters = members.filter((m) => !m.isLearner);
  const memberFacts = members.map((m) => {
    const p = byMemberId.get(m.id) ?? m.clientURLs.map((u) => byUrl.get(u.replace(/\/$/, ''))).find((x) => x !== undefined);
    return {
      id: m.id,
      name: m.name,
      clientURLs: m.clientURLs,
      isLearner: m.isLearner,
      endpoint: p?.o.endpoint ?? null,
      healthy: p !== undefined && !(p.o.health instanceof QuorumError) && p.o.health.healthy,
      status: p?.c.status ?? ('unknown' as Status),
      reason: p?.c.reason ?? 'not probed: no registered endpoint and no client URL',
    };
  });
  const healthyVoters = memberFacts.filter((m) => !m.isLearner && m.healthy).length;
  const statuses = perEndpoint.map((p) => p.o.status).filter((s): s is EtcdStatus => !(s instanceof QuorumError));
  const healthyStatuses = perEndpoint.filter((p) => p.c.status === 'up' || p.c.status === 'degraded').map((p) => p.o.status).filter((s): s is EtcdStatus => !(s instanceof QuorumError));
  const leaders = [...new Set(healthyStatuses.map((s) => s.leader).filter((l) => l !== '0' && voters.some((v) => v.id === l)))];
  const leader = leaders.length === 1 ? leaders[0]! : null;
  const q = quorumState(voters.length, healthyVoters, leaders.length > 0);
  const raftTerm = statuses.length ? Math.max(...statuses.map((s) => s.raftTerm)) : null;
  const leaderName = leader ? (members.find((m) => m.id === leader)?.name || leader) : null;
  const alarms = [...new Set(statuses.flatMap((s) => s.errors))];
  let status = q.status;
  let reason = q.reason;
  if (leaderName) reason += `; leader ${leaderName}`;
  if (leaders.length > 1) reason += `; members disagree on the leader (${leaders.join(', ')})`;
  if (alarms.length) {
    if (status === 'up') status = 'degraded';
    reason += `; errors: ${alarms.join(', ')}`;
  }
  const down = memberFacts.filter((m) => !m.healthy);
  if (down.length) reason += `; not healthy: ${down.map((m) => `${m.name || m.id} (${m.reason})`).join('; ')}`;
  const answering = perEndpoint.filter((p) => p.o.latencyMs !== null);
  return [
    {
      probe: 'etcd',
      target: 'etcd',
      status,
      reason,
      latencyMs: answering.length ? Math.max(...answering.map((p) => p.o.latencyMs!)) : null,
      at,
      detail: { facts: { ...q, status, leader, leaderName, raftTerm, errors: alarms, learners: members.length - voters.length, members: memberFacts } },
    },
    ...endpointSamples,
  ];
}

async function run(ctx: ProbeContext): Promise<ProbeResult[]> {
  return ctx.etcd ? probeEtcd(ctx.etcd, ctx) : [];
}

/** Probes one cluster's etcd: the summary sample (target "etcd") first, then one per endpoint. */
export async function probeEtcd(client: EtcdClient, ctx: EtcdProbeContext): Promise<ProbeResult[]> {
  const at = ctx.now();
  const registered = client.endpoints;
  const first = await Promise.all(registered.map((e) => observe(client, e, true, ctx)));
  const reachable = first.filter((o) => !(o.status instanceof QuorumError)).map((o) => o.endpoint);
  const members = await memberList(client, reachable.length ? reachable : registered.slice(0, 1), ctx);
  let observations = first;
  if (!(members instanceof QuorumError)) {
    // Members that no registered endpoint reached: probe their advertised client URL.
    const seenIds = new Set(first.map((o) => (o.status instanceof QuorumError ? null : o.status.memberId)));
    const seenUrls = new Set(registered);
    const extra = members
      .filter((m) => !seenIds.has(m.id) && !m.clientURLs.some((u) => seenUrls.has(u.replace(/\/$/, ''))))
      .map((m) => m.clientURLs.find((u) => /^https?:\/\//.test(u))?.replace(/\/$/, ''))
      .filter((u): u is string => u !== undefined);
    // Capped per cluster (outbound policy): a member list is the cluster's word, not ours.
    const { kept } = outboundPolicy().cap(extra);
    if (kept.length) observations = [...first, ...(await Promise.all(kept.map((e) => observe(client, e, false, ctx))))];
  }
  return summarizeEtcd(observations, members, at);
}

export const etcdProbe: Probe = { id: 'etcd', title: 'etcd directly: /health, status (leader, raft term, db size, errors), member list, quorum and fault tolerance', run };
