import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Thrown when another live process holds the data directory. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

export interface DataDirLock {
  /** `<dir>.lock`: holds the pid of the process that owns `<dir>`. */
  readonly lockFile: string;
  /** Gives the directory up; also done when the process exits. */
  release(): void;
}

/** The lock files this process holds. */
const heldHere = new Set<string>();

/**
 * Claims `dir` for this process through a pidfile beside it, `<dir>.lock`, created
 * atomically (written aside, then hard-linked into place: `link` fails if the file
 * exists, and a reader never sees it half written). A lock whose pid is no longer
 * alive is stale (its owner was killed) and is taken over, so a restart after SIGKILL
 * opens at once; a live owner makes this throw `DataDirInUseError` naming `dir`.
 *
 * A pidfile rather than an mtime-refreshed lock (proper-lockfile): a stale lock is
 * recognised at once instead of after a staleness timeout, and no timer keeps writing
 * to the disk. It assumes, like PostgreSQL's postmaster.pid, that every process that
 * may open `dir` runs on this host in one pid namespace. Two processes reclaiming one
 * stale lock in the same instant are not told apart; starting one after the other is.
 */
export function lockDataDir(dir: string): DataDirLock {
  const lockFile = `${resolve(dir)}.lock`;
  if (heldHere.has(lockFile)) {
    throw new DataDirInUseError(`data directory ${resolve(dir)} is already open in this process`);
  }
  const claim = `${lockFile}.${process.pid}`;
  writeFileSync(claim, `${process.pid}\n`);
  try {
    // Two tries: the second follows the removal of a stale lock.
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(claim, lockFile);
        return ownedLock(lockFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(lockFile);
      // Our own pid in a lock we do not hold was left by an earlier process that had the
      // same pid (a container's pid 1 restarting, say).
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
        throw new DataDirInUseError(
          `data directory ${resolve(dir)} is in use by process ${holder} (lock file ${lockFile}); ` +
            'stop that process or give this one its own DATA_DIR',
        );
      }
      // The owner died without releasing the lock (SIGKILL, power loss): take it over.
      rmSync(lockFile, { force: true });
    }
    throw new DataDirInUseError(
      `data directory ${resolve(dir)} was claimed by another process starting at the same time (lock file ${lockFile})`,
    );
  } finally {
    rmSync(claim, { force: true });
  }
}

function ownedLock(lockFile: string): DataDirLock {
  heldHere.add(lockFile);
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    heldHere.delete(lockFile);
    process.off('exit', release);
    // Never remove a lock another process took over after this one was presumed dead.
    if (readHolder(lockFile) === process.pid) unlinkSync(lockFile);
  };
  process.on('exit', release);
  return { lockFile, release };
}

function readHolder(lockFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
