// One process per collector buffer folder (two collectors on one folder would replay and write each
// other's records): an OS lock on `<folder>/collector.lock` (lib/os-lock.ts), released by the kernel
// when the holder dies, even by kill -9. The same process may take its own lock again (tests reopen a
// folder). A `lock` pid file of an older version is left alone: it is no lock any more.
import path from 'node:path';
import { OsLock } from '../os-lock';

export class DirLock {
  private constructor(private readonly lock: OsLock) {}

  /** Takes the folder's lock or throws QuorumError('internal') naming the live owner. */
  static acquire(dir: string): DirLock {
    return new DirLock(OsLock.acquire(path.join(dir, 'collector.lock'), 'collector buffer', `the collector buffer ${dir} is in use (one collector per data folder)`));
  }

  release(): void {
    this.lock.release();
  }
}
