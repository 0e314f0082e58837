// `npm run db:diff -- --name X`: new migration for both providers from prisma/schema.template.prisma.
// `npm run db:diff -- --check`: exit 1 when the schema and the migrations differ for either provider
// (or a rendered schema file is stale) — the CI drift check.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '@/lib/errors';
import { checkDrift, createMigrations } from '@/lib/db/diff';
import { PROJECT_ROOT } from '@/lib/db/schema';

const USAGE = 'usage: npm run db:diff -- --name NAME   |   npm run db:diff -- --check';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { name: { type: 'string' }, check: { type: 'boolean', default: false } }, strict: true });
  if (values.check === !!values.name) {
    console.error(USAGE);
    return 2;
  }
  if (values.check) {
    const results = await checkDrift();
    let bad = 0;
    for (const r of results) {
      if (r.schemaFileStale) {
        bad++;
        console.error(`[db:diff] ${r.provider}: prisma/${r.provider}/schema.prisma is stale — run npm run db:generate`);
      }
      if (r.changed) {
        bad++;
        console.error(`[db:diff] ${r.provider}: migrations differ from the schema — run npm run db:diff -- --name <change>. Missing SQL:\n${r.sql}`);
      }
      if (!r.schemaFileStale && !r.changed) console.log(`[db:diff] ${r.provider}: migrations match the schema`);
    }
    return bad > 0 ? 1 : 0;
  }
  const written = await createMigrations(values.name!);
  if (written.length === 0) console.log('[db:diff] no changes: the migrations already match the schema for both providers');
  for (const w of written) console.log(`[db:diff] wrote ${path.relative(PROJECT_ROOT, w)}/migration.sql`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (e) {
  console.error(`[db:diff] ${describeError(e)}`);
  process.exitCode = 1;
}
