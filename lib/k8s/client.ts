import https from 'node:https';
import http from 'node:http';
import type { LookupFunction } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { QuorumError } from '../errors';
import { OUTBOUND_DENIED_CODE, outboundPolicy } from '../net/outbound';
import type { ErrorClass } from '../types';
import { resolveContext, type ResolvedContext } from './kubeconfig';

/** Bodies larger than this are cut off: health endpoints answer a few KiB. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface RawResponse {
  status: number;
  contentType: string;
  body: string;
  latencyMs: number;
}

export interface GetOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Overrides the server's base URL (same credentials and CA), e.g. one apiserver replica behind the LB. */
  baseUrl?: string;
}

/** An authenticated connection to one cluster context. Holds credentials in memory only. */
export interface K8sConnection {
  server: string;
  context: string;
  get(path: string, opts: GetOptions): Promise<RawResponse>;
  /** The @kubernetes/client-node KubeConfig, for typed API clients and watches. */
  kubeConfig: KubeConfig;
}

/** Maps Node/OpenSSL error codes to Quorum's error classes. */
export function classifyNetworkError(e: unknown): { errorClass: ErrorClass; message: string } {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err?.code ?? '';
  const msg = err?.message ?? String(e);
  switch (code) {
    case OUTBOUND_DENIED_CODE: return { errorClass: 'outbound-denied', message: `refused by the outbound policy: ${msg}` };
    case 'ECONNREFUSED': return { errorClass: 'unreachable', message: `connection refused (${msg.replace(/^connect /, '')})` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN': return { errorClass: 'unreachable', message: `no route to host (${code})` };
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ERR_STREAM_PREMATURE_CLOSE': return { errorClass: 'unreachable', message: `connection reset by the server (${code})` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME': return { errorClass: 'dns', message: `host name does not resolve (${code})` };
    case 'ETIMEDOUT':
    case 'ABORT_ERR':
    case 'QUORUM_TIMEOUT': return { errorClass: 'timeout', message: msg };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_SIGNATURE_FAILURE':
    case 'CERT_UNTRUSTED':
      return { errorClass: 'tls-ca', message: `the server's certificate is not signed by the cluster's CA (${code})` };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { errorClass: 'tls-hostname', message: `the server's certificate does not cover this address (${err.reason ?? code})` };
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return { errorClass: 'tls-other', message: `the server's certificate is not valid now (${code})` };
    default:
      if (code.startsWith('ERR_SSL') || code === 'EPROTO' || /SSL|TLS|certificate/i.test(msg)) {
        return { errorClass: 'tls-other', message: `TLS handshake failed (${code || msg.slice(0, 120)})` };
      }
      return { errorClass: 'unreachable', message: code ? `${code}: ${msg}` : msg };
  }
}

/** A KubeConfig whose connections (the Lease watch) resolve through the outbound policy's lookup. */
class PolicyKubeConfig extends KubeConfig {
  constructor(private readonly lookup: LookupFunction) {
    super();
  }
  override createDispatcherOptions(...args: Parameters<KubeConfig['createDispatcherOptions']>): ReturnType<KubeConfig['createDispatcherOptions']> {
    const o = super.createDispatcherOptions(...args);
    if (o.type === 'agent') return { ...o, connect: { ...o.connect, lookup: this.lookup } };
    if (o.type === 'none') return { type: 'agent', connect: { lookup: this.lookup } };
    throw new QuorumError('outbound-denied', 'kubeconfig proxies are not supported');
  }
}

function kubeConfigFor(r: ResolvedContext, lookup: LookupFunction): KubeConfig {
  const kc = new PolicyKubeConfig(lookup);
  const user =
    r.auth.kind === 'token' ? { name: 'user', token: r.auth.token }
    : r.auth.kind === 'client-certificate' ? { name: 'user', certData: Buffer.from(r.auth.certData).toString('base64'), keyData: Buffer.from(r.auth.keyData).toString('base64') }
    : r.auth.kind === 'basic' ? { name: 'user', username: r.auth.username, password: r.auth.password }
    : { name: 'user' };
  kc.loadFromOptions({
    clusters: [{
      name: 'cluster',
      server: r.server,
      skipTLSVerify: r.insecureSkipTlsVerify,
      ...(r.caData ? { caData: Buffer.from(r.caData).toString('base64') } : {}),
      ...(r.tlsServerName ? { tlsServerName: r.tlsServerName } : {}),
    }],
    users: [user],
    contexts: [{ name: r.context, cluster: 'cluster', user: 'user' }],
    currentContext: r.context,
  });
  return kc;
}

/** Builds a connection from a kubeconfig text (validated by resolveContext). */
export async function connect(kubeconfigText: string, context?: string, opts: { baseDir?: string } = {}): Promise<K8sConnection> {
  const resolved = resolveContext(kubeconfigText, context, opts);
  // Outbound policy (lib/net/outbound.ts): the server URL is checked before anything connects, and
  // every socket resolves names through the policy's lookup, so the checked address is the one used.
  const policy = outboundPolicy();
  policy.checkUrl(resolved.server, 'API server');
  const kubeConfig = kubeConfigFor(resolved, policy.lookup);
  const reqOpts: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(reqOpts);
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 4,
    ...(reqOpts.ca ? { ca: reqOpts.ca } : {}),
    ...(reqOpts.cert ? { cert: reqOpts.cert } : {}),
    ...(reqOpts.key ? { key: reqOpts.key } : {}),
    rejectUnauthorized: !resolved.insecureSkipTlsVerify,
    ...(resolved.tlsServerName ? { servername: resolved.tlsServerName } : {}),
    lookup: policy.lookup,
  });
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4, lookup: policy.lookup });
  const headers: Record<string, string> = { Accept: 'application/json, text/plain;q=0.9, */*;q=0.1', 'User-Agent': 'quorum/0.1' };
  for (const [k, v] of Object.entries(reqOpts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
  if (resolved.auth.kind === 'basic') {
    headers.Authorization = `Basic ${Buffer.from(`${resolved.auth.username}:${resolved.auth.password}`).toString('base64')}`;
  }

  function get(path: string, o: GetOptions): Promise<RawResponse> {
    try {
      if (o.baseUrl !== undefined) policy.checkUrl(o.baseUrl, 'API server replica');
    } catch (e) {
      return Promise.reject(e);
    }
    const url = new URL(path, (o.baseUrl ?? resolved.server) + '/');
    const mod = url.protocol === 'http:' ? http : https;
    const started = performance.now();
    return new Promise<RawResponse>((resolve, reject) => {
      const timeout = AbortSignal.timeout(o.timeoutMs);
      const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
      if (signal.aborted) {
        reject(new QuorumError('timeout', 'request aborted before it started'));
        return;
      }
      const req = mod.request(url, { method: 'GET', headers, agent: url.protocol === 'https:' ? agent : httpAgent, signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY_BYTES) chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
            latencyMs: Math.round(performance.now() - started),
          }),
        );
        res.on('error', (e) => reject(toQuorumError(e, timeout, o.timeoutMs)));
      });
      req.on('error', (e) => reject(toQuorumError(e, timeout, o.timeoutMs)));
      req.end();
    });
  }
  return { server: resolved.server, context: resolved.context, get, kubeConfig };
}

function toQuorumError(e: unknown, timeout: AbortSignal, timeoutMs: number): QuorumError {
  if (timeout.aborted) return new QuorumError('timeout', `no answer within ${timeoutMs} ms`, { cause: e });
  if ((e as Error)?.name === 'AbortError') return new QuorumError('timeout', 'request cancelled', { cause: e });
  const c = classifyNetworkError(e);
  return new QuorumError(c.errorClass, c.message, { cause: e });
}
