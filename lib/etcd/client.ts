// etcd client endpoints, read directly (not through the apiserver): GET /health and the v3 API's
// gRPC-gateway JSON — POST /v3/maintenance/status and POST /v3/cluster/member/list. Plain HTTP or
// HTTPS with optional client certificate/key and CA. uint64 fields arrive as JSON strings.
import { createSecureContext } from 'node:tls';
import { requestDeadline } from '../deadline';
import { QuorumError } from '../errors';
import { classifyNetworkError } from '../k8s/client';
import { outboundPolicy } from '../net/outbound';
import { createTransport, type Protocol, type TransportStats } from '../net/transport';

/** What a user registers for a cluster's etcd: client URLs and optional TLS material (PEM text). */
export interface EtcdTarget {
  endpoints: string[];
  certPem?: string;
  keyPem?: string;
  caPem?: string;
}

export interface EtcdResponse {
  status: number;
  body: string;
  latencyMs: number;
  protocol: Protocol;
}

export interface EtcdClient {
  endpoints: string[];
  request(endpoint: string, path: string, opts: { method: 'GET' | 'POST'; timeoutMs: number; signal?: AbortSignal }): Promise<EtcdResponse>;
  /** HTTP/2 sessions and HTTP/1.1 endpoints (lib/net/transport.ts). */
  transportStats(): TransportStats;
  close(): void;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Validates one etcd client URL: http(s)://host:port, no path, query or credentials. Returns it normalised (no trailing slash). */
export function parseEtcdEndpoint(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new QuorumError('kubeconfig-invalid', `etcd endpoint "${raw}" is not a URL (expected e.g. https://10.0.0.1:2379)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new QuorumError('kubeconfig-invalid', `etcd endpoint "${raw}" must use http:// or https://`);
  if (u.username || u.password) throw new QuorumError('kubeconfig-invalid', `etcd endpoint "${raw}" must not carry credentials; use --etcd-cert/--etcd-key`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) throw new QuorumError('kubeconfig-invalid', `etcd endpoint "${raw}" must be scheme://host:port only`);
  return `${u.protocol}//${u.host}`;
}

const PEM_RE = (label: string): RegExp => new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`);

/** Validates an etcd target as registered (endpoints deduplicated, PEM blocks present, cert and key together). */
export function validateEtcdTarget(t: EtcdTarget): EtcdTarget {
  if (!Array.isArray(t.endpoints) || t.endpoints.length === 0) throw new QuorumError('kubeconfig-invalid', 'etcd needs at least one client endpoint');
  if (t.endpoints.length > 15) throw new QuorumError('kubeconfig-invalid', `etcd: ${t.endpoints.length} endpoints; at most 15`);
  const endpoints = [...new Set(t.endpoints.map(parseEtcdEndpoint))];
  const policy = outboundPolicy();
  for (const e of endpoints) policy.checkUrl(e, 'etcd endpoint');
  if (Boolean(t.certPem) !== Boolean(t.keyPem)) throw new QuorumError('kubeconfig-invalid', 'etcd client certificate and key must be given together');
  if (t.certPem && !PEM_RE('CERTIFICATE').test(t.certPem)) throw new QuorumError('kubeconfig-invalid', 'etcd client certificate is not a PEM certificate');
  if (t.keyPem && !PEM_RE('(?:RSA |EC |ENCRYPTED )?PRIVATE KEY').test(t.keyPem)) throw new QuorumError('kubeconfig-invalid', 'etcd client key is not a PEM private key');
  if (t.caPem && !PEM_RE('CERTIFICATE').test(t.caPem)) throw new QuorumError('kubeconfig-invalid', 'etcd CA is not a PEM certificate');
  if ((t.certPem || t.caPem) && !endpoints.some((e) => e.startsWith('https:'))) {
    throw new QuorumError('kubeconfig-invalid', 'etcd TLS files were given but every endpoint is http://');
  }
  return { endpoints, ...(t.certPem ? { certPem: t.certPem } : {}), ...(t.keyPem ? { keyPem: t.keyPem } : {}), ...(t.caPem ? { caPem: t.caPem } : {}) };
}

/**
 * A client for one cluster's etcd endpoints (TLS material in memory only): HTTP/2 to an https://
 * endpoint that negotiates it — etcd's TLS listener serves the gRPC gateway's JSON over h2 — one
 * session per endpoint for its /health, status and member-list requests; HTTP/1.1 keep-alive
 * otherwise (plain http:// endpoints, as the lab's). lib/net/transport.ts.
 */
export function createEtcdClient(target: EtcdTarget): EtcdClient {
  const policy = outboundPolicy();
  const transport = createTransport({
    secureContext: createSecureContext({
      ...(target.caPem ? { ca: target.caPem } : {}),
      ...(target.certPem ? { cert: target.certPem } : {}),
      ...(target.keyPem ? { key: target.keyPem } : {}),
    }),
    rejectUnauthorized: true,
    lookup: policy.lookup,
    headers: { accept: 'application/json', 'user-agent': 'quorum/0.1' },
  });
  function request(endpoint: string, path: string, o: { method: 'GET' | 'POST'; timeoutMs: number; signal?: AbortSignal }): Promise<EtcdResponse> {
    try {
      policy.checkUrl(endpoint, 'etcd endpoint'); // registered endpoints and members' advertised client URLs alike
    } catch (e) {
      return Promise.reject(e);
    }
    const url = new URL(path, `${endpoint}/`);
    const started = performance.now();
    // Released once the request settles, however it settles.
    const deadline = requestDeadline(o.timeoutMs, o.signal);
    const signal = deadline.signal;
    return new Promise<EtcdResponse>((resolve, reject) => {
      if (signal.aborted) {
        reject(new QuorumError('timeout', 'request aborted before it started'));
        return;
      }
      const classify = (e: unknown): QuorumError => {
        if (deadline.timedOut) return new QuorumError('timeout', `no answer within ${o.timeoutMs} ms`, { cause: e });
        if ((e as Error)?.name === 'AbortError') return new QuorumError('timeout', 'request cancelled', { cause: e });
        const c = classifyNetworkError(e);
        // classifyNetworkError speaks of "the cluster's CA"; for etcd the CA is the one registered for etcd.
        return new QuorumError(c.errorClass, c.message.replace("the cluster's CA", 'the registered etcd CA'), { cause: e });
      };
      const fail = (e: unknown): void => reject(classify(e));
      transport.send(url, { method: o.method, ...(o.method === 'POST' ? { jsonBody: '{}' } : {}), signal, background: false, connectTimeoutMs: o.timeoutMs }, {
        onError: fail,
        onResponse: (head) => {
          const chunks: Buffer[] = [];
          let size = 0;
          return {
            data: (c) => {
              size += c.length;
              if (size <= MAX_BODY_BYTES) chunks.push(c);
            },
            end: () => resolve({ status: head.status, body: Buffer.concat(chunks).toString('utf8'), latencyMs: Math.round(performance.now() - started), protocol: head.protocol }),
            error: fail,
          };
        },
      });
    }).finally(deadline.done);
  }
  return { endpoints: target.endpoints, request, transportStats: transport.stats, close: transport.close };
}

// ---- Parsers (pure; fed with JSON captured from the lab's etcd in the unit tests) ----

export interface EtcdHealth {
  healthy: boolean;
  reason: string;
}

export interface EtcdStatus {
  memberId: string;
  clusterId: string;
  leader: string;
  raftTerm: number;
  raftIndex: number;
  dbSize: number;
  dbSizeInUse: number | null;
  dbSizeQuota: number | null;
  version: string;
  isLearner: boolean;
  errors: string[];
}

export interface EtcdMember {
  id: string;
  name: string;
  clientURLs: string[];
  peerURLs: string[];
  isLearner: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);
const id = (v: unknown): string | null => (typeof v === 'string' && /^\d+$/.test(v) ? v : typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function json(body: string, what: string): Obj {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new QuorumError('http-error', `not an etcd endpoint: ${what} did not answer JSON`);
  }
  if (!isObj(v)) throw new QuorumError('http-error', `not an etcd endpoint: ${what} did not answer a JSON object`);
  return v;
}

/** Classifies an HTTP answer that is not a 200 from etcd (401/403 are collector-side). */
export function etcdHttpError(status: number, what: string, body: string): QuorumError {
  if (status === 401) return new QuorumError('unauthorized', `401 unauthorized: etcd refused ${what} (auth enabled? client certificate not accepted?)`);
  if (status === 403) return new QuorumError('forbidden', `403 forbidden: etcd refused ${what}`);
  const msg = (() => {
    try {
      const v = JSON.parse(body) as Obj;
      return typeof v.message === 'string' ? v.message : typeof v.error === 'string' ? v.error : '';
    } catch {
      return '';
    }
  })();
  return new QuorumError('http-error', `etcd ${what} answered HTTP ${status}${msg ? `: ${msg}` : ''}`);
}

/** GET /health: {"health":"true","reason":""}; 503 {"health":"false","reason":"RAFT NO LEADER"} when unhealthy. */
export function parseEtcdHealth(status: number, body: string): EtcdHealth {
  if (status === 401 || status === 403) throw etcdHttpError(status, '/health', body);
  const v = json(body, 'GET /health');
  if (v.health !== 'true' && v.health !== 'false' && v.health !== true && v.health !== false) {
    throw new QuorumError('http-error', `not an etcd endpoint: GET /health answered HTTP ${status} without a "health" field`);
  }
  const healthy = (v.health === 'true' || v.health === true) && status === 200;
  const reason = typeof v.reason === 'string' && v.reason ? v.reason : healthy ? 'ok' : `unhealthy (HTTP ${status})`;
  return { healthy, reason };
}

/** POST /v3/maintenance/status. */
export function parseEtcdStatus(body: string): EtcdStatus {
  const v = json(body, 'POST /v3/maintenance/status');
  const header = isObj(v.header) ? v.header : {};
  const memberId = id(header.member_id);
  const leader = id(v.leader) ?? '0';
  if (memberId === null) throw new QuorumError('http-error', 'not an etcd endpoint: /v3/maintenance/status has no header.member_id');
  return {
    memberId,
    clusterId: id(header.cluster_id) ?? '',
    leader,
    raftTerm: num(v.raftTerm) ?? num(header.raft_term) ?? 0,
    raftIndex: num(v.raftIndex) ?? 0,
    dbSize: num(v.dbSize) ?? 0,
    dbSizeInUse: num(v.dbSizeInUse),
    dbSizeQuota: num(v.dbSizeQuota),
    version: typeof v.version === 'string' ? v.version : '',
    isLearner: v.isLearner === true,
    errors: strings(v.errors),
  };
}

/** POST /v3/cluster/member/list. */
export function parseMemberList(body: string): EtcdMember[] {
  const v = json(body, 'POST /v3/cluster/member/list');
  if (!Array.isArray(v.members)) throw new QuorumError('http-error', 'not an etcd endpoint: /v3/cluster/member/list has no members');
  return v.members
    .filter(isObj)
    .map((m) => ({ id: id(m.ID) ?? '', name: typeof m.name === 'string' ? m.name : '', clientURLs: strings(m.clientURLs), peerURLs: strings(m.peerURLs), isLearner: m.isLearner === true }))
    .filter((m) => m.id !== '')
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
