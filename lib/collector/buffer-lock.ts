// One process per collector buffer folder: a `lock` file holds the owner's pid, created with O_EXCL;
// a dead owner's lock is taken over, a live one's is refused (two collectors on one data folder would
// write everything twice). The same process may take its own lock again (tests reopen a folder).
import { closeSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { QuorumError, describeError } from '../errors';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DirLock {
  private held = false;
  private constructor(private readonly dir: string) {}

  private get lockFile(): string {
    return path.join(this.dir, 'lock');
  }

  /** Takes the folder's lock or throws QuorumError('internal') naming the live owner. */
  static acquire(dir: string): DirLock {
    const l = new DirLock(dir);
    l.lock();
    return l;
  }

  private lock(): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockFile, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        this.held = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new QuorumError('internal', `cannot lock the collector buffer ${this.dir}: ${describeError(e)}`, { cause: e });
        }
      }
      let owner = NaN;
      try {
        owner = Number(readFileSync(this.lockFile, 'utf8').trim());
      } catch {
        /* vanished meanwhile: retry */
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && pidAlive(owner)) {
        throw new QuorumError('internal', `the collector buffer ${this.dir} is in use by process ${owner} (one collector per data folder)`);
      }
      rmSync(this.lockFile, { force: true }); // stale lock of a dead process
    }
    throw new QuorumError('internal', `cannot lock the collector buffer ${this.dir}`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      if (readFileSync(this.lockFile, 'utf8').trim() === String(process.pid)) unlinkSync(this.lockFile);
    } catch {
      /* already gone */
    }
  }
}
