// Another process holding a SQLite write lock, as a long writer or a backup tool would:
//   tsx test/support/hold-sqlite-lock.ts FILE MS [IMMEDIATE|EXCLUSIVE]
// prints "locked" once it holds the lock, releases it (ROLLBACK) after MS and prints "released".
import Database from 'better-sqlite3';

const [file, ms, mode = 'EXCLUSIVE'] = process.argv.slice(2);
if (!file || !ms || !/^(IMMEDIATE|EXCLUSIVE)$/.test(mode)) {
  console.error('usage: hold-sqlite-lock.ts FILE MS [IMMEDIATE|EXCLUSIVE]');
  process.exit(2);
}
const db = new Database(file, { timeout: 10_000 });
db.exec(`BEGIN ${mode}`);
// A real write inside the lock, so it is a writer's lock and not just a reservation.
db.exec(`UPDATE "Cluster" SET "labels" = "labels" WHERE 0`);
console.log('locked');
setTimeout(() => {
  db.exec('ROLLBACK');
  db.close();
  console.log('released');
}, Number(ms));
