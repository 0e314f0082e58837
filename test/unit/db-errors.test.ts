// Database error classification, fed with errors captured from real PostgreSQL 15 and SQLite
// (test/fixtures/db-errors/, written by `npx tsx test/support/db-error-cases.ts --write`;
// test/integration/db-errors.test.ts provokes the same errors live). Exact: kind, the database's own
// code, what the collector does with it and what the API answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dbErrorClass } from '@/app/api/_lib/respond';
import { isPermanentWriteError } from '@/lib/collector/collector';
import { DbError, classifyDbError, sqlitePrimary, type DbErrorKind } from '@/lib/db/errors';
import { QuorumError } from '@/lib/errors';
import type { OwnPg } from '../support/own-pg';
import { postgresCases, sqliteCases, type Case } from '../support/db-error-cases';

interface Fixture {
  capturedAt: string;
  cases: Array<{ name: string; error: unknown }>;
}
const fixture = (p: string): Fixture => JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'db-errors', `${p}.json`), 'utf8')) as Fixture;

/** The policy, per kind: retried and never dropped (transient), droppable (permanent), and the API's answer. */
const POLICY: Record<DbErrorKind, { transient: boolean; permanent: boolean; api: string }> = {
  unreachable: { transient: true, permanent: false, api: 'database-unavailable' },
  timeout: { transient: true, permanent: false, api: 'database-unavailable' },
  busy: { transient: true, permanent: false, api: 'database-busy' },
  deadlock: { transient: true, permanent: false, api: 'database-busy' },
  serialization: { transient: true, permanent: false, api: 'database-busy' },
  'read-only': { transient: true, permanent: false, api: 'database-unavailable' },
  'disk-full': { transient: true, permanent: false, api: 'database-unavailable' },
  resources: { transient: true, permanent: false, api: 'database-unavailable' },
  shutdown: { transient: true, permanent: false, api: 'database-unavailable' },
  io: { transient: true, permanent: false, api: 'database-unavailable' },
  auth: { transient: true, permanent: false, api: 'database-unavailable' },
  'no-database': { transient: true, permanent: false, api: 'database-unavailable' },
  'not-migrated': { transient: true, permanent: false, api: 'database-unavailable' },
  conflict: { transient: false, permanent: true, api: 'conflict' },
  'invalid-data': { transient: false, permanent: true, api: 'internal' },
  corrupt: { transient: false, permanent: false, api: 'database-unavailable' },
  query: { transient: false, permanent: false, api: 'internal' },
};

const unusedPg = { url: () => 'postgres://unused@127.0.0.1:1/x' } as unknown as OwnPg;

function checkFixture(provider: 'postgresql' | 'sqlite', cases: Case[]): void {
  const f = fixture(provider);
  assert.deepEqual(f.cases.map((c) => c.name).sort(), cases.map((c) => c.name).sort(), `${provider}: every case has a captured error and every captured error a case`);
  for (const c of cases) {
    const captured = f.cases.find((x) => x.name === c.name)!;
    const err = classifyDbError(captured.error);
    assert.equal(err.kind, c.expect.kind, `${c.name}: kind (${err.message})`);
    assert.equal(err.dbCode, c.expect.dbCode, `${c.name}: database code`);
    const p = POLICY[err.kind];
    assert.equal(err.transient, p.transient, `${c.name}: transient`);
    assert.equal(err.permanent, p.permanent, `${c.name}: permanent`);
    assert.equal(dbErrorClass(err.kind), p.api, `${c.name}: API class`);
    assert.doesNotMatch(err.message, /\n\s+at |definitely-wrong/, `${c.name}: no stack, no password in "${err.message}"`);
    // The collector keeps every transient error's records, whatever the attempt.
    if (p.transient) assert.equal(isPermanentWriteError(err, 99), false, `${c.name}: never dropped`);
  }
}

test('PostgreSQL errors captured from a real server: kind, SQLSTATE, retry policy and API class', () => {
  checkFixture('postgresql', postgresCases(unusedPg, 'x', 'postgres://unused@127.0.0.1:1/x'));
});

test('SQLite errors captured from real files: kind, result code, retry policy and API class', () => {
  checkFixture('sqlite', sqliteCases('/nonexistent'));
});

test('messages name the cause in words first', () => {
  const byName = new Map(fixture('postgresql').cases.map((c) => [c.name, classifyDbError(c.error).message]));
  assert.match(byName.get('pg: deadlock detected (40P01), raw pg')!, /^database deadlock: the transaction was aborted to break it: deadlock detected \(40P01\)$/);
  assert.match(byName.get('pg: read-only database (25006, default_transaction_read_only), through Prisma create')!, /^database is read-only \(a standby after a failover, or writes switched off\): .*read-only transaction.*\(25006\)$/);
  assert.match(byName.get('pg: disk full (53100), tablespace on a 1 MiB tmpfs, raw pg')!, /^database disk full: could not extend file .*No space left on device \(53100\)$/);
  assert.match(byName.get('pg: connection refused (closed port), through Prisma')!, /^database unreachable: /);
  // These two were classified by Quorum itself when captured (withDb's lock wait, migrate's engine check): their message as thrown.
  const sqlite = new Map(fixture('sqlite').cases.map((c) => [c.name, (c.error as { name: string; message: string }).name === 'DbError' ? (c.error as { message: string }).message : classifyDbError(c.error).message]));
  assert.match(sqlite.get('sqlite: write lock held by another connection, through withDb (waited QUORUM_DB_LOCK_TIMEOUT_MS)')!, /^database busy: another process holds the SQLite write lock on this file .*waited \d+ ms \(QUORUM_DB_LOCK_TIMEOUT_MS=300\) \(SQLITE_BUSY\)$/);
  assert.match(sqlite.get('sqlite: migrations pending while another process has the file open (schema engine, SQLITE_BUSY)')!, /^database busy: .*has migrations to apply, which needs the file to itself.*npm run db:migrate/);
});

test('SQLite extended result codes reduce to their primary code', () => {
  assert.equal(sqlitePrimary('SQLITE_BUSY_SNAPSHOT'), 'SQLITE_BUSY');
  assert.equal(sqlitePrimary('SQLITE_IOERR_SHORT_READ'), 'SQLITE_IOERR');
  assert.equal(sqlitePrimary('SQLITE_READONLY_DBMOVED'), 'SQLITE_READONLY');
  assert.equal(sqlitePrimary('SQLITE_CONSTRAINT_NOTNULL'), 'SQLITE_CONSTRAINT');
  assert.equal(sqlitePrimary('UNKNOWN_SQLITE_ERROR_517'), 'SQLITE_BUSY'); // 517 = SQLITE_BUSY_SNAPSHOT
  assert.equal(sqlitePrimary('UNKNOWN_SQLITE_ERROR_266'), 'SQLITE_IOERR'); // 266 = SQLITE_IOERR_READ
  assert.equal(sqlitePrimary('ENOENT'), undefined);
  // As better-sqlite3 raises them (SqliteError {code}), and as the adapter reports an unnamed code.
  const e = (code: string) => Object.assign(new Error('x'), { code });
  assert.equal(classifyDbError(e('SQLITE_BUSY_SNAPSHOT')).kind, 'busy');
  assert.equal(classifyDbError(e('SQLITE_IOERR_WRITE')).kind, 'io');
  assert.equal(classifyDbError({ kind: 'sqlite', extendedCode: 13, message: 'database or disk is full' }).kind, 'disk-full');
  // A socket errno is never read as a SQLSTATE.
  assert.equal(classifyDbError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })).kind, 'unreachable');
});

test('the collector drops only what is provably permanent', () => {
  const invalid = new QuorumError('invalid-input', 'sample status "sideways" is not one of up, degraded, down, unknown');
  assert.equal(isPermanentWriteError(invalid, 1), true, 'a record that is invalid in itself');
  const conflict = new DbError('conflict', 'unique constraint violated');
  assert.equal(isPermanentWriteError(conflict, 1), false, 'a constraint is tried twice');
  assert.equal(isPermanentWriteError(conflict, 2), true);
  for (const kind of ['query', 'corrupt', 'deadlock', 'serialization', 'read-only', 'disk-full', 'busy', 'timeout', 'unreachable', 'not-migrated'] as const) {
    assert.equal(isPermanentWriteError(new DbError(kind, kind), 1000), false, `${kind} is never dropped`);
  }
  assert.equal(isPermanentWriteError(new Error('something else'), 1000), false);
});
