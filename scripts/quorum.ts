// Quorum's command line: `npm run quorum -- cluster|user|token|keys …`. Works directly on the database
// the environment names (as an admin: whoever can read the database and key is one), or against a
// running server with `--server URL` (or QUORUM_URL) and an API token in QUORUM_TOKEN.
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { QuorumError, describeError } from '@/lib/errors';
import { KUBECONFIG_MAX_BYTES, resolveContext, toMinimalKubeconfig } from '@/lib/k8s/kubeconfig';
import { parseLabels, registerCluster } from '@/lib/clusters/register';
import { getCluster, listClusters, removeCluster, updateClusterSettings } from '@/lib/data/clusters';
import { createApiToken, createUser, deleteUser, listApiTokens, listUsers, revokeApiToken, updateUser, type TokenView, type UserView } from '@/lib/data/auth';
import { writeAudit, type Actor } from '@/lib/data/audit';
import { isRole, type Role } from '@/lib/auth/roles';
import { KeyCheckError, checkKeysOnStart, rotateKeys } from '@/lib/keys';
import type { ClusterSummary } from '@/lib/types';
import { closeDb } from '@/lib/db';
import { migrate } from '@/lib/db/migrate';
import { RemoteError, remoteFrom, type Remote } from './cli/remote';
import { exportOpenSlo, importOpenSlo, type ImportResult } from '@/lib/data/openslo';
import type { ImportIssue } from '@/lib/openslo/openslo';
import { writeFileSync } from 'node:fs';
import { backupSqlite, postgresHowTo, restoreSqlite, type SqliteConfig } from '@/lib/db/backup';
import { loadCliConfig, loadEnv } from '@/lib/env';
import { keyFilePath } from '@/lib/secrets';

const USAGE = `usage:
  npm run quorum -- cluster add --name NAME --kubeconfig PATH [--context CTX] [--label k=v ...] [--no-verify]
               [--lease NAMESPACE/NAME ...] [--dns-server IP[:PORT] ...]
               [--etcd-endpoint URL ...] [--etcd-cert PATH --etcd-key PATH] [--etcd-ca PATH]
  npm run quorum -- cluster update NAME [--lease NAMESPACE/NAME ...] [--dns-server IP[:PORT] ...] [--no-leases] [--no-dns-servers]
  npm run quorum -- cluster list [--json]
  npm run quorum -- cluster remove NAME
  npm run quorum -- user add NAME --role viewer|editor|admin [--password-stdin | --oidc]
  npm run quorum -- user list [--json]
  npm run quorum -- user set-role NAME ROLE | passwd NAME [--password-stdin] | disable NAME | enable NAME | remove NAME
  npm run quorum -- token create --name NAME --role ROLE [--expires-days N]
  npm run quorum -- token list [--json] | revoke NAME
  npm run quorum -- keys check | rotate        (local only; rotate takes QUORUM_NEW_SECRET_KEY when QUORUM_SECRET_KEY is set)
  npm run quorum -- slo export [--cluster NAME] [--out FILE]     OpenSLO v1 YAML of every SLO policy (stdout by default)
  npm run quorum -- slo import FILE [--prune] [--dry-run]        validate, then apply all of it in one transaction (or nothing)
  npm run quorum -- backup FILE                (SQLite, online: consistent while Quorum runs; the key is NOT in it)
  npm run quorum -- restore FILE [--force]     (SQLite, Quorum stopped; PostgreSQL: pg_dump/pg_restore, see README)

Against a running server: npm run quorum -- --server URL …  (or QUORUM_URL), token in QUORUM_TOKEN.
Environment (local): QUORUM_DATA_DIR (SQLite folder, default ./data) or DATABASE_URL=postgres://… ; QUORUM_SECRET_KEY.`;

class UsageError extends Error {}

interface Ctx {
  remote: Remote | null;
  /** Who the audit log names for local changes: the OS user running the CLI. */
  actor: Actor;
}

const audited = (ctx: Ctx, action: string, target: string, before?: unknown, after?: unknown): Promise<void> =>
  ctx.remote ? Promise.resolve() : writeAudit(ctx.actor, { action, target, before, after });

function readKubeconfigFile(p: string): string {
  let size: number;
  try {
    size = statSync(p).size;
  } catch (e) {
    throw new QuorumError('kubeconfig-invalid', `cannot read kubeconfig "${p}": ${(e as NodeJS.ErrnoException).code ?? describeError(e)}`);
  }
  if (size > KUBECONFIG_MAX_BYTES) {
    throw new QuorumError('kubeconfig-too-large', `kubeconfig "${p}" is ${Math.ceil(size / 1024)} KiB; the limit is ${KUBECONFIG_MAX_BYTES / 1024} KiB`);
  }
  return readFileSync(p, 'utf8');
}

const PEM_MAX_BYTES = 64 * 1024;

function readPemFile(p: string, what: string): string {
  let size: number;
  try {
    size = statSync(p).size;
  } catch (e) {
    throw new QuorumError('kubeconfig-invalid', `cannot read the ${what} "${p}": ${(e as NodeJS.ErrnoException).code ?? describeError(e)}`);
  }
  if (size > PEM_MAX_BYTES) throw new QuorumError('kubeconfig-invalid', `the ${what} "${p}" is ${Math.ceil(size / 1024)} KiB; a PEM file is a few KiB`);
  return readFileSync(p, 'utf8');
}

async function clusterAdd(ctx: Ctx, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      label: { type: 'string', multiple: true },
      lease: { type: 'string', multiple: true },
      'dns-server': { type: 'string', multiple: true },
      'no-verify': { type: 'boolean', default: false },
      'etcd-endpoint': { type: 'string', multiple: true },
      'etcd-cert': { type: 'string' },
      'etcd-key': { type: 'string' },
      'etcd-ca': { type: 'string' },
    },
    strict: true,
  });
  if (!values.name || !values.kubeconfig) throw new UsageError('cluster add needs --name and --kubeconfig');
  const endpoints = values['etcd-endpoint'] ?? [];
  if (endpoints.length === 0 && (values['etcd-cert'] || values['etcd-key'] || values['etcd-ca'])) {
    throw new UsageError('--etcd-cert/--etcd-key/--etcd-ca need at least one --etcd-endpoint');
  }
  const etcd = endpoints.length
    ? {
        endpoints,
        ...(values['etcd-cert'] ? { certPem: readPemFile(values['etcd-cert'], 'etcd client certificate') } : {}),
        ...(values['etcd-key'] ? { keyPem: readPemFile(values['etcd-key'], 'etcd client key') } : {}),
        ...(values['etcd-ca'] ? { caPem: readPemFile(values['etcd-ca'], 'etcd CA') } : {}),
      }
    : undefined;
  const file = path.resolve(values.kubeconfig);
  const text = readKubeconfigFile(file);
  if (ctx.remote) {
    if (etcd || values['no-verify']) throw new UsageError('--etcd-* and --no-verify work only directly on the database (run without --server on the Quorum host)');
    // File references are inlined here: the server cannot read this machine's files.
    const resolved = resolveContext(text, values.context, { baseDir: path.dirname(file) });
    const r = await ctx.remote.call<{ cluster: ClusterSummary; version: string | null }>('POST', '/api/clusters', {
      name: values.name,
      kubeconfig: toMinimalKubeconfig(resolved),
      context: resolved.context,
      labels: (values.label ?? []).join(','),
      leases: values.lease ?? [],
      dnsServers: values['dns-server'] ?? [],
    });
    console.log(`added cluster "${r.cluster.name}" (${r.cluster.id}) → ${r.cluster.server} [context ${r.cluster.context}]${r.version ? `, Kubernetes ${r.version}` : ''} on ${ctx.remote.server.origin}`);
    return;
  }
  const c = await registerCluster({
    name: values.name,
    kubeconfigText: text,
    ...(values.context ? { context: values.context } : {}),
    labels: parseLabels(values.label),
    settings: { leases: values.lease ?? [], dnsServers: values['dns-server'] ?? [] },
    baseDir: path.dirname(file),
    skipTest: values['no-verify'],
    ...(etcd ? { etcd } : {}),
  });
  await audited(ctx, 'cluster.create', `cluster ${c.name}`, undefined, { id: c.id, server: c.server, context: c.context, labels: c.labels, settings: c.settings, etcd: etcd ? etcd.endpoints : undefined });
  const t = c.test;
  const readyz = t?.readyz ? (t.readyz.allowed ? `readyz ${t.readyz.status} (${t.readyz.reason})` : `readyz NOT allowed for this identity: ${t.readyz.reason}`) : 'connection not tested (--no-verify)';
  console.log(`added cluster "${c.name}" (${c.id}) → ${c.server} [context ${c.context}]${t?.version ? `, Kubernetes ${t.version}` : ''}; ${readyz}${c.etcdTest ? `; etcd ${c.etcdTest.status} (${c.etcdTest.reason})` : etcd ? `; etcd: ${etcd.endpoints.join(', ')} (not tested)` : ''}`);
}

async function clusterUpdate(ctx: Ctx, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      lease: { type: 'string', multiple: true },
      'dns-server': { type: 'string', multiple: true },
      'no-leases': { type: 'boolean', default: false },
      'no-dns-servers': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('cluster update takes exactly one NAME');
  const patch = {
    ...(values['no-leases'] ? { leases: [] } : values.lease ? { leases: values.lease } : {}),
    ...(values['no-dns-servers'] ? { dnsServers: [] } : values['dns-server'] ? { dnsServers: values['dns-server'] } : {}),
  };
  if (Object.keys(patch).length === 0) throw new UsageError('cluster update needs --lease, --dns-server, --no-leases or --no-dns-servers');
  let c: ClusterSummary | null;
  if (ctx.remote) {
    c = (await ctx.remote.call<{ cluster: ClusterSummary }>('PATCH', `/api/clusters/${encodeURIComponent(positionals[0]!)}`, patch)).cluster;
  } else {
    const before = await getCluster(positionals[0]!);
    c = before ? await updateClusterSettings(before.id, patch) : null;
    if (before && c) await audited(ctx, 'cluster.update', `cluster ${c.name}`, { settings: before.settings }, { settings: c.settings });
  }
  if (!c) throw new QuorumError('invalid-input', `no cluster named "${positionals[0]!}"`);
  console.log(`updated cluster "${c.name}": leases [${c.settings.leases.join(', ')}], DNS servers [${c.settings.dnsServers.join(', ')}]`);
}

async function clusterList(ctx: Ctx, argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false } }, strict: true });
  const clusters = ctx.remote ? (await ctx.remote.call<{ clusters: ClusterSummary[] }>('GET', '/api/clusters')).clusters : await listClusters();
  if (values.json) {
    console.log(JSON.stringify(clusters, null, 2));
    return;
  }
  if (clusters.length === 0) {
    console.log('no clusters registered yet: npm run quorum -- cluster add --name NAME --kubeconfig PATH');
    return;
  }
  printTable(['NAME', 'SERVER', 'CONTEXT', 'LABELS', 'CREATED'], clusters.map((c) => [c.name, c.server, c.context, Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(','), c.createdAt]));
}

async function clusterRemove(ctx: Ctx, argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('cluster remove takes exactly one NAME');
  const name = positionals[0]!;
  if (ctx.remote) {
    await ctx.remote.call('DELETE', `/api/clusters/${encodeURIComponent(name)}`);
  } else {
    const before = await getCluster(name);
    if (!before || !(await removeCluster(before.id))) throw new QuorumError('kubeconfig-invalid', `no cluster named "${name}"`);
    await audited(ctx, 'cluster.remove', `cluster ${before.name}`, { id: before.id, server: before.server, labels: before.labels });
  }
  console.log(`removed cluster "${name}" and its samples`);
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows]) console.log(r.map((x, i) => x.padEnd(widths[i]!)).join('  ').trimEnd());
}

// ---- users ----

/** Reads a password: all of stdin (--password-stdin, one trailing newline dropped) or twice from the terminal without echo. */
async function readPassword(fromStdin: boolean, what: string): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    if (text === '') throw new UsageError('no password on stdin');
    return text;
  }
  const ask = (q: string): Promise<string> =>
    new Promise((resolve) => {
      process.stdout.write(q);
      const stdin = process.stdin;
      stdin.setRawMode(true);
      stdin.resume();
      let buf = '';
      const onData = (d: Buffer): void => {
        for (const ch of d.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.setRawMode(false);
            stdin.pause();
            stdin.off('data', onData);
            process.stdout.write('\n');
            resolve(buf);
            return;
          }
          if (ch === '\u0003') process.exit(130);
          if (ch === '\u007f') buf = buf.slice(0, -1);
          else buf += ch;
        }
      };
      stdin.on('data', onData);
    });
  const a = await ask(`${what}: `);
  const b = await ask(`${what} again: `);
  if (a !== b) throw new UsageError('the two passwords differ');
  return a;
}

function roleArg(v: string | undefined): Role {
  if (!isRole(v)) throw new UsageError(`--role must be viewer, editor or admin (got ${v === undefined ? 'nothing' : `"${v}"`})`);
  return v;
}

function userRow(u: UserView): string[] {
  return [u.name, u.role, [u.local ? 'password' : '', u.oidc ? 'oidc' : ''].filter(Boolean).join('+') || 'oidc (unclaimed)', u.disabled ? 'disabled' : 'enabled', u.lastLoginAt ?? 'never'];
}

async function userCmd(ctx: Ctx, cmd: string | undefined, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false }, oidc: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const name = positionals[0];
  const needName = (): string => {
    if (!name || positionals.length !== 1) throw new UsageError(`user ${cmd} takes exactly one NAME`);
    return name;
  };
  const r = ctx.remote;
  const patch = async (body: { role?: Role; disabled?: boolean; password?: string }, action: string): Promise<UserView> => {
    const n = needName();
    if (r) return (await r.call<{ user: UserView }>('PATCH', `/api/users/${encodeURIComponent(n)}`, body)).user;
    const { before, after } = await updateUser(n, body);
    await audited(ctx, action, `user ${before.name}`, { role: before.role, disabled: before.disabled }, { role: after?.role, disabled: after?.disabled, ...(body.password ? { password: 'changed' } : {}) });
    return after!;
  };
  switch (cmd) {
    case 'add': {
      const n = needName();
      const role = roleArg(values.role);
      const password = values.oidc ? undefined : await readPassword(values['password-stdin'], `password for ${n}`);
      const u = r
        ? (await r.call<{ user: UserView }>('POST', '/api/users', { name: n, role, ...(password ? { password } : {}) })).user
        : await createUser({ name: n, role, ...(password ? { password } : {}) });
      await audited(ctx, 'user.create', `user ${u.name}`, undefined, { role: u.role, local: u.local });
      console.log(`added user "${u.name}" with the ${u.role} role${u.local ? '' : ' (no password: claimed by the first single sign-on with this user name)'}`);
      return;
    }
    case 'list': {
      const users = r ? (await r.call<{ users: UserView[] }>('GET', '/api/users')).users : await listUsers();
      if (values.json) console.log(JSON.stringify(users, null, 2));
      else printTable(['NAME', 'ROLE', 'SIGN-IN', 'STATE', 'LAST SIGN-IN'], users.map(userRow));
      return;
    }
    case 'set-role': {
      if (positionals.length !== 2) throw new UsageError('user set-role takes NAME ROLE');
      const u = await patch({ role: roleArg(positionals[1]) }, 'user.role');
      console.log(`"${u.name}" now has the ${u.role} role (their sessions were ended)`);
      return;
    }
    case 'passwd': {
      const n = needName();
      const u = await patch({ password: await readPassword(values['password-stdin'], `new password for ${n}`) }, 'user.password');
      console.log(`password of "${u.name}" changed (their sessions were ended)`);
      return;
    }
    case 'disable':
    case 'enable': {
      const u = await patch({ disabled: cmd === 'disable' }, 'user.update');
      console.log(`"${u.name}" is ${u.disabled ? 'disabled (sessions ended)' : 'enabled'}`);
      return;
    }
    case 'remove': {
      const n = needName();
      if (r) await r.call('DELETE', `/api/users/${encodeURIComponent(n)}`);
      else {
        const { before } = await deleteUser(n);
        await audited(ctx, 'user.remove', `user ${before.name}`, { role: before.role });
      }
      console.log(`removed user "${n}"`);
      return;
    }
    default:
      throw new UsageError(`unknown user command "${cmd ?? ''}"`);
  }
}

// ---- API tokens ----

async function tokenCmd(ctx: Ctx, cmd: string | undefined, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, role: { type: 'string' }, 'expires-days': { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const r = ctx.remote;
  switch (cmd) {
    case 'create': {
      if (!values.name) throw new UsageError('token create needs --name');
      const role = roleArg(values.role);
      const days = values['expires-days'] === undefined ? null : Number(values['expires-days']);
      if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new UsageError('--expires-days must be a whole number from 1 to 3650');
      let token: string;
      let view: TokenView;
      if (r) ({ token, tokenInfo: view } = await r.call<{ token: string; tokenInfo: TokenView }>('POST', '/api/tokens', { name: values.name, role, expiresInDays: days }));
      else {
        ({ token, view } = await createApiToken({ name: values.name, role, createdBy: ctx.actor.name, expiresAt: days ? new Date(Date.now() + days * 86_400_000) : null }));
        await audited(ctx, 'token.create', `token ${view.name}`, undefined, { role: view.role, prefix: view.prefix, expiresAt: view.expiresAt });
      }
      // The token alone on stdout (scripts capture it); the explanation on stderr.
      console.error(`created token "${view.name}" with the ${view.role} role${view.expiresAt ? `, expires ${view.expiresAt}` : ''}. It is shown once; Quorum stores only its hash:`);
      console.log(token);
      return;
    }
    case 'list': {
      const tokens = r ? (await r.call<{ tokens: TokenView[] }>('GET', '/api/tokens')).tokens : await listApiTokens();
      if (values.json) console.log(JSON.stringify(tokens, null, 2));
      else printTable(['NAME', 'ROLE', 'PREFIX', 'CREATED BY', 'LAST USED', 'STATE'], tokens.map((t) => [t.name, t.role, t.prefix, t.createdBy, t.lastUsedAt ?? 'never', t.revokedAt ? 'revoked' : t.active ? 'active' : 'expired']));
      return;
    }
    case 'revoke': {
      if (positionals.length !== 1) throw new UsageError('token revoke takes exactly one NAME (or id)');
      if (r) await r.call('DELETE', `/api/tokens/${encodeURIComponent(positionals[0]!)}`);
      else {
        const res = await revokeApiToken(positionals[0]!, ctx.actor.name);
        if (!res) throw new QuorumError('invalid-input', `no token "${positionals[0]!}"`);
        if (res.before.revokedAt === null) await audited(ctx, 'token.revoke', `token ${res.after.name}`, { role: res.before.role }, { revokedAt: res.after.revokedAt });
      }
      console.log(`revoked token "${positionals[0]!}"`);
      return;
    }
    default:
      throw new UsageError(`unknown token command "${cmd ?? ''}"`);
  }
}

// ---- keys ----

async function keysCmd(ctx: Ctx, cmd: string | undefined, argv: string[]): Promise<void> {
  parseArgs({ args: argv, options: {}, strict: true });
  if (ctx.remote) throw new UsageError('keys commands run only directly on the database (without --server)');
  if (cmd === 'check') {
    const c = await checkKeysOnStart();
    const badChannels = c.undecryptable.filter((n) => n.startsWith('channel ')).length;
    const badClusters = c.undecryptable.length - badChannels;
    console.log(`key ${c.keyId ?? '(none yet)'}: ${c.clusters - badClusters} of ${c.clusters} clusters' credentials decrypt${c.channels ? `, ${c.channels - badChannels} of ${c.channels} notification channels' secrets` : ''}${c.undecryptable.length ? `; cannot decrypt: ${c.undecryptable.join(', ')}` : ''}${c.finishedRotation ? ' (an interrupted rotation was finished)' : ''}`);
    return;
  }
  if (cmd === 'rotate') {
    const { newSecretKeyText } = loadCliConfig();
    const r = await rotateKeys(newSecretKeyText ? { newKeyText: newSecretKeyText } : {});
    await audited(ctx, 'keys.rotate', `${r.clusters} cluster credentials${r.channels ? `, ${r.channels} channel secrets` : ''}`, { keyId: r.fromKeyId }, { keyId: r.toKeyId });
    console.log(
      `re-encrypted ${r.clusters} clusters' credentials${r.channels ? ` and ${r.channels} notification channels' secrets` : ''}: key ${r.fromKeyId} → ${r.toKeyId}. ` +
        (r.newKeyAt === 'QUORUM_NEW_SECRET_KEY' ? 'Now set QUORUM_SECRET_KEY to the value of QUORUM_NEW_SECRET_KEY on every Quorum process and restart them.' : `The new key is in ${r.newKeyAt}; running processes pick it up on their next connection.`),
    );
    return;
  }
  throw new UsageError(`unknown keys command "${cmd ?? ''}"`);
}

// ---- OpenSLO ----

class ImportRefused extends Error {
  constructor(
    readonly errorClass: string,
    message: string,
    readonly issues: ImportIssue[],
  ) {
    super(message);
  }
}

async function sloCmd(ctx: Ctx, cmd: string | undefined, argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { cluster: { type: 'string' }, out: { type: 'string' }, prune: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false } }, strict: true });
  const r = ctx.remote;
  if (cmd === 'export') {
    if (positionals.length) throw new UsageError('slo export takes no positional arguments (use --cluster NAME, --out FILE)');
    let yaml: string;
    if (r) yaml = await r.text(`/api/openslo${values.cluster ? `?cluster=${encodeURIComponent(values.cluster)}` : ''}`);
    else {
      const e = await exportOpenSlo(values.cluster ? { cluster: values.cluster } : {});
      if (!e) throw new QuorumError('invalid-input', `no cluster named "${values.cluster ?? ''}"`);
      yaml = e.yaml;
    }
    if (values.out) {
      writeFileSync(values.out, yaml);
      console.error(`wrote ${values.out}`);
    } else process.stdout.write(yaml);
    return;
  }
  if (cmd === 'import') {
    if (positionals.length !== 1) throw new UsageError('slo import takes exactly one FILE (- reads stdin)');
    const file = positionals[0]!;
    let text: string;
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      text = Buffer.concat(chunks).toString('utf8');
    } else {
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new QuorumError('invalid-input', `cannot read "${file}": ${(e as NodeJS.ErrnoException).code ?? describeError(e)}`);
      }
    }
    let res: Extract<ImportResult, { ok: true }>;
    if (r) {
      try {
        res = await r.call<Extract<ImportResult, { ok: true }>>('POST', '/api/openslo', { document: text, prune: values.prune, dryRun: values['dry-run'] });
      } catch (e) {
        const issues = e instanceof RemoteError ? ((e.body as { issues?: ImportIssue[] } | null)?.issues ?? []) : [];
        if (e instanceof RemoteError && issues.length) throw new ImportRefused(e.errorClass, e.message, issues);
        throw e;
      }
    } else {
      const out = await importOpenSlo(text, { prune: values.prune, dryRun: values['dry-run'] });
      if (!out.ok) throw new ImportRefused(out.kind === 'malformed' ? 'bad-request' : 'unprocessable', `${out.issues.length} issue${out.issues.length === 1 ? '' : 's'}; nothing was applied`, out.issues);
      res = out;
      const changed = out.changes.filter((c) => c.action !== 'unchanged');
      if (!out.dryRun && changed.length) await audited(ctx, 'slo.import', `${changed.length} SLO policies (OpenSLO, ${path.basename(file)})`, changed.map((c) => ({ cluster: c.cluster, component: c.component, ...c.before })), changed.map((c) => ({ cluster: c.cluster, component: c.component, action: c.action, ...c.after })));
    }
    for (const c of res.changes) console.log(`${c.action.padEnd(9)} ${c.cluster} ${c.component}${c.after ? ` ${c.after.objective} over ${c.after.window}` : ''}${c.before && c.action === 'update' ? ` (was ${c.before.objective} over ${c.before.window})` : ''}`);
    console.log(`${res.dryRun ? 'dry run: would apply' : 'applied'}: ${res.counts.create} created, ${res.counts.update} updated, ${res.counts.remove} removed, ${res.counts.unchanged} unchanged`);
    return;
  }
  throw new UsageError(`unknown slo command "${cmd ?? ''}"`);
}

// ---- backup / restore (local only; lib/db/backup.ts) ----

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function keyNote(kids: string[]): string {
  if (kids.length === 0) return 'No cluster credentials are in it.';
  return `The clusters' credentials in it are encrypted with key ${kids.join(', ')}. The key is NOT in the backup: keep ${loadEnv().secretKey ? 'QUORUM_SECRET_KEY' : keyFilePath(loadEnv().dataDir)} apart from it (a secret store); restoring needs it.`;
}

/** backup and restore take one FILE, run on the Quorum host, on SQLite; with PostgreSQL they print its own tools (null). */
function sqliteFor(ctx: Ctx, verb: 'backup' | 'restore', positionals: string[]): SqliteConfig | null {
  if (ctx.remote) throw new UsageError(`${verb} runs on the Quorum host (without --server)`);
  if (positionals.length !== 1) throw new UsageError(`${verb} takes exactly one FILE`);
  const db = loadEnv().db;
  if (db.provider === 'sqlite') return db;
  console.error(`error [postgresql]: ${postgresHowTo(db)}`);
  return null;
}

async function backupCmd(ctx: Ctx, argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, options: {}, allowPositionals: true, strict: true });
  const db = sqliteFor(ctx, 'backup', positionals);
  if (!db) return 2;
  const b = await backupSqlite(db, positionals[0]!);
  console.log(`backed up ${db.file} → ${b.file}: ${mib(b.bytes)}, ${b.clusters} clusters, ${b.samples} raw samples, ${b.migrations} migrations (last ${b.lastMigration ?? 'none'}), integrity ok, ${b.ms} ms.`);
  console.log(keyNote(b.credentialKeyIds));
  return 0;
}

async function restoreCmd(ctx: Ctx, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { force: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  const db = sqliteFor(ctx, 'restore', positionals);
  if (!db) return 2;
  const r = restoreSqlite(db, positionals[0]!, { force: values.force });
  console.log(`restored ${r.file} from ${path.resolve(positionals[0]!)}: ${mib(r.bytes)}, ${r.clusters} clusters, ${r.samples} raw samples${r.replaced ? `; the previous database is ${r.replaced}` : ''}.`);
  const m = await migrate({ quiet: true });
  if (m.applied.length) console.log(`migrated the restored database: ${m.applied.join(', ')}`);
  try {
    const k = await checkKeysOnStart();
    console.log(`key ${k.keyId ?? '(none needed)'}: ${k.clusters - k.undecryptable.length} of ${k.clusters} clusters' credentials decrypt.`);
    if (k.undecryptable.length) console.warn(`warning: cannot decrypt the credentials of ${k.undecryptable.join(', ')}`);
  } catch (e) {
    console.error(`error [keys]: restored, but the key does not open its credentials: ${e instanceof Error ? e.message : describeError(e)}. Put the key kept with the backup in place (${keyFilePath(loadEnv().dataDir)} or QUORUM_SECRET_KEY) before starting Quorum.`);
    return 1;
  }
  return 0;
}

/** Takes `--server URL` out of argv (it may stand anywhere); QUORUM_URL is the default. */
function splitServer(argv: string[]): { server: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let server = loadCliConfig().serverUrl ?? undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--server') server = argv[++i];
    else if (a.startsWith('--server=')) server = a.slice('--server='.length);
    else rest.push(a);
  }
  return { server, rest };
}

async function main(argv0: string[]): Promise<number> {
  const { server, rest: argv } = splitServer(argv0);
  const [group, cmd, ...rest] = argv;
  if (group === undefined || group === 'help' || group === '--help' || group === '-h') {
    console.log(USAGE);
    return group === undefined ? 2 : 0;
  }
  try {
    if (!['cluster', 'user', 'token', 'keys', 'slo', 'backup', 'restore'].includes(group)) throw new UsageError(`unknown command "${group}"`);
    const remote = remoteFrom(server, loadCliConfig().token ?? undefined);
    const ctx: Ctx = { remote, actor: { name: `cli:${os.userInfo().username}`, kind: 'cli', role: 'admin', clientAddress: null } };
    // Neither migrates first: a backup copies the database as it is; restore migrates what it restored.
    if (group === 'backup') return await backupCmd(ctx, [cmd, ...rest].filter((a): a is string => a !== undefined));
    if (group === 'restore') return await restoreCmd(ctx, [cmd, ...rest].filter((a): a is string => a !== undefined));
    if (!remote) {
      await migrate({ quiet: true });
      // Never run against credentials this key cannot read (keys rotate does its own checks).
      if (!(group === 'keys')) await checkKeysOnStart();
    }
    switch (group) {
      case 'cluster':
        switch (cmd) {
          case 'add': await clusterAdd(ctx, rest); break;
          case 'list': await clusterList(ctx, rest); break;
          case 'update': await clusterUpdate(ctx, rest); break;
          case 'remove': await clusterRemove(ctx, rest); break;
          default: throw new UsageError(`unknown cluster command "${cmd ?? ''}"`);
        }
        break;
      case 'user': await userCmd(ctx, cmd, rest); break;
      case 'token': await tokenCmd(ctx, cmd, rest); break;
      case 'keys': await keysCmd(ctx, cmd, rest); break;
      case 'slo': await sloCmd(ctx, cmd, rest); break;
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof ImportRefused) {
      console.error(`error [${e.errorClass}]: ${e.message}`);
      for (const i of e.issues) console.error(`  ${i.path || '(document)'}: ${i.message}`);
    } else if (e instanceof QuorumError || e instanceof RemoteError) console.error(`error [${e.errorClass}]: ${e.message}`);
    else if (e instanceof KeyCheckError) console.error(`error [keys]: ${e.message}`);
    else console.error(`error: ${describeError(e)}`);
    return 1;
  } finally {
    await closeDb().catch(() => undefined);
  }
}

process.exitCode = await main(process.argv.slice(2));
