import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUseError, lockDataDir } from './data-dir-lock';

// Real processes: another live process holds the lock, a dead one left it stale.

describe('lockDataDir', () => {
  let root: string;
  let dataDir: string;
  let other: ChildProcess | undefined;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'data-dir-lock-'));
    dataDir = join(root, 'product-service');
  });

  afterEach(() => {
    other?.kill('SIGKILL');
    other = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  /** A process that stays alive until killed, and its pid once it runs. */
  async function liveProcess(): Promise<number> {
    other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((ready) => other?.once('spawn', ready));
    return other.pid as number;
  }

  /** The pid of a process that has exited. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((exited) => child.once('exit', exited));
    return child.pid as number;
  }

  it('writes this pid beside the directory and removes it on release', () => {
    const lock = lockDataDir(dataDir);

    expect(lock.lockFile).toBe(`${dataDir}.lock`);
    expect(readFileSync(lock.lockFile, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(lock.lockFile)).toBe(false);
    // Released, the directory can be claimed again.
    lockDataDir(dataDir).release();
  });

  it('refuses a directory a live process holds, naming the directory and the holder', async () => {
    const holder = await liveProcess();
    writeFileSync(`${dataDir}.lock`, `${holder}\n`);

    expect(() => lockDataDir(dataDir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dataDir)).toThrow(
      `data directory ${dataDir} is in use by process ${holder}`,
    );
    // The holder's lock is left as it was.
    expect(readFileSync(`${dataDir}.lock`, 'utf8')).toBe(`${holder}\n`);
  });

  it('refuses a second open of one directory in the same process', () => {
    const lock = lockDataDir(dataDir);

    expect(() => lockDataDir(dataDir)).toThrow(`data directory ${dataDir} is already open`);
    lock.release();
  });

  it('takes over a lock bearing its own pid that it does not hold (a restarted pid 1)', () => {
    writeFileSync(`${dataDir}.lock`, `${process.pid}\n`);

    lockDataDir(dataDir).release();

    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    writeFileSync(`${dataDir}.lock`, `${await deadPid()}\n`);

    const lock = lockDataDir(dataDir);

    expect(readFileSync(lock.lockFile, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('leaves alone a lock another process took over after this one was presumed dead', async () => {
    const lock = lockDataDir(dataDir);
    const successor = await liveProcess();
    writeFileSync(lock.lockFile, `${successor}\n`);

    lock.release();

    expect(readFileSync(lock.lockFile, 'utf8')).toBe(`${successor}\n`);
  });
});
