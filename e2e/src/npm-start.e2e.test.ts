// `npm start` ends cleanly however it is stopped: a SIGTERM to the npm process (a process
// manager, `timeout`, `kill $!` in a script) stops Nx and all five services, freeing their ports
// and data-directory locks. Ctrl-C signals the whole process group; SIGTERM reaches npm alone.
// Runs the real command on the default ports (which must be free) with a DATA_DIR of its own.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DATABASES, DEFAULT_PORTS, repoRoot } from '../../tools/services/launcher.ts';

const READY_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 30_000;

const dataDir = mkdtempSync(join(tmpdir(), 'obs-npm-start-'));
let npm: ChildProcess | undefined;
let started: number[] = [];

after(() => {
  // Whatever the test found, leave nothing running.
  for (const pid of started) signal(pid, 'SIGKILL');
  if (npm?.pid) signal(npm.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** The direct children of every process, from /proc. */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Field 4 (ppid), after the command name in parentheses, which may hold spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  return children;
}

function descendants(pid: number): number[] {
  const children = childrenByParent();
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie is gone for every purpose here (it holds no port and no lock).
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function ready(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`, {
      signal: AbortSignal.timeout(2000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

test('a SIGTERM to `npm start` stops Nx and all five services', async () => {
  const ports = Object.values(DEFAULT_PORTS);
  for (const port of ports)
    assert.equal(
      await listening(port),
      false,
      `port ${port} is taken: this test runs npm start on the default ports (stop a running npm start first)`,
    );

  let output = '';
  npm = spawn('npm', ['start'], {
    cwd: repoRoot(),
    env: { ...process.env, DATA_DIR: dataDir, OTEL_SDK_DISABLED: 'true', NX_TUI: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<number | string | null>((resolve) =>
    npm!.once('exit', (code, name) => resolve(code ?? name)),
  );

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await Promise.all(ports.map(ready))).every(Boolean)) {
    assert.ok(npm.exitCode === null, `npm start exited early:\n${output.slice(-3000)}`);
    assert.ok(Date.now() < deadline, `not all five ready in time:\n${output.slice(-3000)}`);
    await sleep(1000);
  }
  started = descendants(npm.pid!);
  const locks = readdirSync(dataDir).filter((file) => file.endsWith('.lock'));
  assert.deepEqual(
    locks.sort(),
    Object.keys(DATABASES)
      .map((name) => `${name}.lock`)
      .sort(),
    'each service with storage holds its lock in DATA_DIR',
  );

  npm.kill('SIGTERM');
  const outcome = await Promise.race([exited, sleep(STOP_TIMEOUT_MS).then(() => 'timeout')]);
  assert.notEqual(outcome, 'timeout', 'npm start did not exit within 30 s of SIGTERM');

  // npm is gone; everything it started goes with it (allowing the services their drain).
  const stopDeadline = Date.now() + STOP_TIMEOUT_MS;
  while (started.some(alive) && Date.now() < stopDeadline) await sleep(250);
  const left = started.filter(alive).map((pid) => {
    try {
      return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`;
    } catch {
      return String(pid);
    }
  });
  assert.deepEqual(left, [], 'processes npm start left running');
  for (const port of ports) assert.equal(await listening(port), false, `port ${port} still taken`);
  for (const lock of locks)
    assert.equal(existsSync(join(dataDir, lock)), false, `${lock} still held`);
});
