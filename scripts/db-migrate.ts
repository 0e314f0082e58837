// `npm run db:migrate`: applies pending migrations to the database chosen by DATABASE_URL /
// QUORUM_DATA_DIR (see lib/env.ts). Exit 1 with one readable line when it cannot.
import { describeError } from '@/lib/errors';
import { migrate } from '@/lib/db/migrate';

try {
  await migrate({ quiet: false });
} catch (e) {
  console.error(`[db] migration failed: ${describeError(e)}`);
  process.exitCode = 1;
}
