// Runs the real Dex (built from its Go module by lab/build-tools.sh) for the OIDC e2e test, on loopback
// with TLS (its own throw-away CA: Quorum refuses non-https issuers), in-memory storage, one static
// client (Quorum) and static users with groups. Started by playwright.oidc.config.ts as a webServer;
// everything it needs comes from the environment the config sets:
//   QUORUM_DEX_DIR (work folder: PKI, config, logs), QUORUM_DEX_PORT, QUORUM_DEX_CLIENT_SECRET,
//   QUORUM_DEX_REDIRECT_URI, QUORUM_DEX_PASSWORD (the static users' password)
// The CA certificate is written to $QUORUM_DEX_DIR/ca.crt before Dex starts (the Quorum server trusts it
// through NODE_EXTRA_CA_CERTS).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const need = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (playwright.oidc.config.ts sets it)`);
  return v;
};
const dir = need('QUORUM_DEX_DIR');
const port = Number(need('QUORUM_DEX_PORT'));
const secret = need('QUORUM_DEX_CLIENT_SECRET');
const redirectUri = need('QUORUM_DEX_REDIRECT_URI');
const password = need('QUORUM_DEX_PASSWORD');
const dex = path.join(root, 'lab', '.bin', 'dex');
const bcrypt = path.join(root, 'lab', '.bin', 'dex-bcrypt');
if (!existsSync(dex) || !existsSync(bcrypt)) throw new Error(`${dex} is missing: run \`bash lab/build-tools.sh\` (builds Dex from its Go module)`);

mkdirSync(dir, { recursive: true });
const p = (f: string): string => path.join(dir, f);
const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};
openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=quorum-e2e-dex-ca', '-keyout', p('ca.key'), '-out', p('ca.crt')]);
openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', p('tls.key'), '-out', p('tls.csr')]);
writeFileSync(p('san.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
openssl(['x509', '-req', '-in', p('tls.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', p('san.cnf'), '-out', p('tls.crt')]);
const hash = execFileSync(bcrypt, { input: `${password}\n`, encoding: 'utf8' }).trim();

/** Static users: their groups decide the Quorum role (QUORUM_OIDC_*_GROUPS in the config). */
const users = [
  { email: 'alice@example.com', username: 'alice-sre', groups: ['sre-admins', 'developers'], id: '2f4b9a44-0000-4000-8000-00000000a11c' },
  { email: 'bob@example.com', username: 'bob-dev', groups: ['developers'], id: '2f4b9a44-0000-4000-8000-000000000b0b' },
  { email: 'mallory@example.com', username: 'mallory', groups: ['marketing'], id: '2f4b9a44-0000-4000-8000-0000000ba11e' },
];
const yaml = [
  `issuer: https://127.0.0.1:${port}/dex`,
  'storage:',
  '  type: memory',
  'web:',
  `  https: 127.0.0.1:${port}`,
  `  tlsCert: ${p('tls.crt')}`,
  `  tlsKey: ${p('tls.key')}`,
  'logger:',
  '  level: info',
  'oauth2:',
  '  skipApprovalScreen: true',
  'staticClients:',
  '- id: quorum',
  '  name: Quorum',
  `  secret: ${secret}`,
  '  redirectURIs:',
  `  - ${redirectUri}`,
  'enablePasswordDB: true',
  'staticPasswords:',
  ...users.flatMap((u) => [
    `- email: ${u.email}`,
    `  hash: "${hash}"`,
    `  username: ${u.username}`,
    `  preferredUsername: ${u.username}`,
    `  name: ${u.username}`,
    `  userID: ${u.id}`,
    '  groups:',
    ...u.groups.map((g) => `  - ${g}`),
  ]),
  '',
].join('\n');
writeFileSync(p('config.yaml'), yaml, { mode: 0o600 });

const child = spawn(dex, ['serve', p('config.yaml')], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
