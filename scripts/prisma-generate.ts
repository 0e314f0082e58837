// `npm run db:generate` (also the npm postinstall): renders prisma/schema.template.prisma into
// prisma/<provider>/schema.prisma and runs `prisma generate` for each, offline, into
// lib/generated/<provider>. No engine binary is needed: the `prisma-client` generator only needs
// the CLI, which insists that PRISMA_SCHEMA_ENGINE_BINARY names an existing file.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, PROVIDERS, renderSchema, schemaPath } from '@/lib/db/schema';

const started = Date.now();
const prismaCli = path.join(PROJECT_ROOT, 'node_modules', 'prisma', 'build', 'index.js');
if (!existsSync(prismaCli)) {
  console.error(`[prisma-generate] ${prismaCli} is missing: run npm install`);
  process.exit(1);
}
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, // any existing file; the generator never runs it
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
  PRISMA_GENERATE_NO_ENGINE: '1',
  NO_COLOR: '1',
};

function generate(file: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [prismaCli, 'generate', '--schema', file], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e) => resolve({ code: 1, out: `${out}${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

// Both providers in parallel: each run is mostly CLI start-up.
const results = await Promise.all(
  PROVIDERS.map(async (p) => {
    const file = schemaPath(p);
    const text = renderSchema(p);
    mkdirSync(path.dirname(file), { recursive: true });
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
    return { p, ...(await generate(file)) };
  }),
);
let failed = false;
for (const r of results) {
  if (r.code !== 0) {
    failed = true;
    console.error(`[prisma-generate] prisma generate failed for ${r.p}:\n${r.out}`);
  }
}
if (failed) process.exit(1);
console.log(`[prisma-generate] rendered and generated ${PROVIDERS.join(' + ')} clients in ${Date.now() - started} ms`);
