import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { QuorumError } from '../errors';

/** Kubeconfigs larger than this are refused before parsing (a real one is a few KiB). */
export const KUBECONFIG_MAX_BYTES = 256 * 1024;

export interface KubeconfigContext {
  name: string;
  cluster: string;
  user: string;
  server: string;
  namespace?: string;
}

export interface ParsedKubeconfig {
  contexts: KubeconfigContext[];
  currentContext?: string;
}

/** Credentials and endpoint of exactly one context, with every file reference inlined. */
export interface ResolvedContext {
  context: string;
  server: string;
  /** PEM text. */
  caData?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  auth:
    | { kind: 'token'; token: string }
    | { kind: 'client-certificate'; certData: string; keyData: string }
    | { kind: 'basic'; username: string; password: string }
    | { kind: 'none' };
}

interface ParseOptions {
  /** Folder that relative file references are resolved against. Without it, file references are refused
   * (a kubeconfig pasted into the browser cannot point at files on the server). */
  baseDir?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function loadYaml(text: string): Obj {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > KUBECONFIG_MAX_BYTES) {
    throw new QuorumError(
      'kubeconfig-too-large',
      `kubeconfig is ${Math.ceil(bytes / 1024)} KiB; the limit is ${KUBECONFIG_MAX_BYTES / 1024} KiB (use \`kubectl config view --flatten --minify\` to keep one context)`,
    );
  }
  if (text.trim() === '') throw new QuorumError('kubeconfig-not-yaml', 'kubeconfig is empty');
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const where = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new QuorumError('kubeconfig-not-yaml', `kubeconfig is not valid YAML${where}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const value: unknown = doc.toJS();
  if (!isObj(value)) {
    throw new QuorumError('kubeconfig-not-yaml', 'kubeconfig must be a YAML mapping with clusters, users and contexts');
  }
  if (value.kind !== undefined && value.kind !== 'Config') {
    throw new QuorumError('kubeconfig-invalid', `expected kind "Config", found kind "${String(value.kind)}"`);
  }
  return value;
}

function namedList(root: Obj, key: 'clusters' | 'users' | 'contexts', inner: 'cluster' | 'user' | 'context'): Map<string, Obj> {
  const raw = root[key];
  const out = new Map<string, Obj>();
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) throw new QuorumError('kubeconfig-invalid', `"${key}" must be a list`);
  raw.forEach((item, i) => {
    if (!isObj(item) || !str(item.name)) {
      throw new QuorumError('kubeconfig-invalid', `${key}[${i}] has no name`);
    }
    const body = item[inner];
    if (body !== undefined && body !== null && !isObj(body)) {
      throw new QuorumError('kubeconfig-invalid', `${key}[${i}] ("${String(item.name)}"): "${inner}" must be a mapping`);
    }
    out.set(String(item.name), isObj(body) ? body : {});
  });
  return out;
}

function serverOf(cluster: Obj | undefined, contextName: string, clusterName: string): string {
  const server = str(cluster?.server);
  if (!server) {
    throw new QuorumError('kubeconfig-no-server', `cluster "${clusterName}" (context "${contextName}") has no server URL`);
  }
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new QuorumError('kubeconfig-invalid', `server "${server}" of cluster "${clusterName}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new QuorumError('kubeconfig-invalid', `server "${server}" must be an https:// URL`);
  }
  return server.replace(/\/+$/, '');
}

/** Lists the contexts of a kubeconfig, validating the structure. Throws QuorumError on bad input. */
export function parseKubeconfig(text: string): ParsedKubeconfig {
  const root = loadYaml(text);
  const clusters = namedList(root, 'clusters', 'cluster');
  namedList(root, 'users', 'user');
  const contexts = namedList(root, 'contexts', 'context');
  if (contexts.size === 0) throw new QuorumError('kubeconfig-no-context', 'kubeconfig has no contexts');
  const list: KubeconfigContext[] = [];
  for (const [name, ctx] of contexts) {
    const clusterName = str(ctx.cluster) ?? '';
    const cluster = clusters.get(clusterName);
    list.push({
      name,
      cluster: clusterName,
      user: str(ctx.user) ?? '',
      server: cluster ? (str(cluster.server) ?? '') : '',
      ...(str(ctx.namespace) ? { namespace: String(ctx.namespace) } : {}),
    });
  }
  const current = str(root['current-context']);
  return { contexts: list, ...(current && contexts.has(current) ? { currentContext: current } : {}) };
}

function readRef(data: unknown, file: unknown, what: string, opts: ParseOptions, decode: boolean): string | undefined {
  const inline = str(data);
  if (inline) {
    if (!decode) return inline;
    const buf = Buffer.from(inline, 'base64');
    if (buf.length === 0) throw new QuorumError('kubeconfig-invalid', `${what} data is not base64`);
    return buf.toString('utf8');
  }
  const f = str(file);
  if (!f) return undefined;
  if (!opts.baseDir) {
    throw new QuorumError(
      'kubeconfig-invalid',
      `${what} refers to the file "${f}"; paste a self-contained kubeconfig instead (\`kubectl config view --flatten --minify\`)`,
    );
  }
  const p = path.resolve(opts.baseDir, f);
  try {
    const size = statSync(p).size;
    if (size > KUBECONFIG_MAX_BYTES) throw new QuorumError('kubeconfig-too-large', `${what} file "${p}" is too large`);
    return readFileSync(p, 'utf8');
  } catch (e) {
    if (e instanceof QuorumError) throw e;
    throw new QuorumError('kubeconfig-invalid', `${what} file "${p}" cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

function checkPem(text: string, what: string, kind: 'CERTIFICATE' | 'PRIVATE KEY'): string {
  if (!new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
    throw new QuorumError('kubeconfig-invalid', `${what} is not a PEM ${kind.toLowerCase()}`);
  }
  return text;
}

/**
 * Resolves one context (the given one, else current-context, else the only one) into the endpoint
 * and credentials Quorum stores. Exec plugins and auth providers are refused: the collector runs
 * unattended and must not execute commands from a pasted file.
 */
export function resolveContext(text: string, contextName?: string, opts: ParseOptions = {}): ResolvedContext {
  const root = loadYaml(text);
  const clusters = namedList(root, 'clusters', 'cluster');
  const users = namedList(root, 'users', 'user');
  const contexts = namedList(root, 'contexts', 'context');
  if (contexts.size === 0) throw new QuorumError('kubeconfig-no-context', 'kubeconfig has no contexts');
  const available = [...contexts.keys()].join(', ');
  let name = contextName?.trim() || undefined;
  if (name === undefined) {
    const current = str(root['current-context']);
    if (current && contexts.has(current)) name = current;
    else if (contexts.size === 1) name = [...contexts.keys()][0]!;
    else throw new QuorumError('kubeconfig-no-context', `kubeconfig has several contexts and no current-context; pick one of: ${available}`);
  }
  const ctx = contexts.get(name);
  if (!ctx) throw new QuorumError('kubeconfig-no-context', `no context named "${name}"; available: ${available}`);
  const clusterName = str(ctx.cluster);
  if (!clusterName) throw new QuorumError('kubeconfig-no-cluster', `context "${name}" names no cluster`);
  const cluster = clusters.get(clusterName);
  if (!cluster) throw new QuorumError('kubeconfig-no-cluster', `context "${name}" refers to cluster "${clusterName}", which is not in the kubeconfig`);
  const server = serverOf(cluster, name, clusterName);

  const caText = readRef(cluster['certificate-authority-data'], cluster['certificate-authority'], `cluster "${clusterName}" certificate-authority`, opts, true);
  const insecure = cluster['insecure-skip-tls-verify'] === true;

  const userName = str(ctx.user);
  let auth: ResolvedContext['auth'] = { kind: 'none' };
  if (userName) {
    const user = users.get(userName);
    if (!user) throw new QuorumError('kubeconfig-no-user', `context "${name}" refers to user "${userName}", which is not in the kubeconfig`);
    if (user.exec !== undefined || user['auth-provider'] !== undefined) {
      throw new QuorumError(
        'kubeconfig-unsupported-auth',
        `user "${userName}" authenticates with ${user.exec !== undefined ? 'an exec plugin' : 'an auth-provider'}; Quorum needs a static credential: create the quorum ServiceAccount token from deploy/rbac.yaml, or a client certificate`,
      );
    }
    const token = str(user.token) ?? readRef(undefined, user.tokenFile, `user "${userName}" tokenFile`, opts, false)?.trim();
    const cert = readRef(user['client-certificate-data'], user['client-certificate'], `user "${userName}" client-certificate`, opts, true);
    const key = readRef(user['client-key-data'], user['client-key'], `user "${userName}" client-key`, opts, true);
    if (token) auth = { kind: 'token', token };
    else if (cert || key) {
      if (!cert || !key) throw new QuorumError('kubeconfig-invalid', `user "${userName}" has a client certificate without its key (or the reverse)`);
      auth = { kind: 'client-certificate', certData: checkPem(cert, `user "${userName}" client-certificate`, 'CERTIFICATE'), keyData: checkPem(key, `user "${userName}" client-key`, 'PRIVATE KEY') };
    } else if (str(user.username) && str(user.password)) {
      auth = { kind: 'basic', username: String(user.username), password: String(user.password) };
    }
  }
  return {
    context: name,
    server,
    ...(caText ? { caData: checkPem(caText, `cluster "${clusterName}" certificate-authority`, 'CERTIFICATE') } : {}),
    insecureSkipTlsVerify: insecure,
    ...(str(cluster['tls-server-name']) ? { tlsServerName: String(cluster['tls-server-name']) } : {}),
    auth,
  };
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** A minimal, self-contained kubeconfig for one resolved context: what Quorum encrypts and stores. */
export function toMinimalKubeconfig(r: ResolvedContext): string {
  const user: Obj = {};
  switch (r.auth.kind) {
    case 'token': user.token = r.auth.token; break;
    case 'client-certificate': user['client-certificate-data'] = b64(r.auth.certData); user['client-key-data'] = b64(r.auth.keyData); break;
    case 'basic': user.username = r.auth.username; user.password = r.auth.password; break;
    case 'none': break;
    default: { const never: never = r.auth; throw new Error(`unhandled auth ${String(never)}`); }
  }
  const cluster: Obj = { server: r.server };
  if (r.caData) cluster['certificate-authority-data'] = b64(r.caData);
  if (r.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
  if (r.tlsServerName) cluster['tls-server-name'] = r.tlsServerName;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': r.context,
    clusters: [{ name: 'cluster', cluster }],
    users: [{ name: 'user', user }],
    contexts: [{ name: r.context, context: { cluster: 'cluster', user: 'user' } }],
  };
  return JSON.stringify(doc);
}
