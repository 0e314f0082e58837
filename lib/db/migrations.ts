// Reads prisma/<provider>/migrations in the shape the schema engine expects (the same files and
// lock file the Prisma CLI reads, so `prisma migrate deploy` would agree with us).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { lockfileContent, migrationsDir, type Provider } from './schema';

export const LOCKFILE = 'migration_lock.toml';

export function readMigrationList(p: Provider, dir: string = migrationsDir(p)): MigrationList {
  const lockPath = path.join(dir, LOCKFILE);
  const lock = existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null;
  if (lock !== null && lock !== lockfileContent(p)) {
    throw new Error(`${lockPath} does not say provider = "${p}" exactly as Prisma writes it`);
  }
  const names = existsSync(dir)
    ? readdirSync(dir).filter((n) => statSync(path.join(dir, n)).isDirectory()).sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: LOCKFILE, content: lock },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => {
      const file = path.join(dir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file) ? { tag: 'ok' as const, value: readFileSync(file, 'utf8') } : { tag: 'error' as const, value: `${file} is missing` },
        },
      };
    }),
  };
}
