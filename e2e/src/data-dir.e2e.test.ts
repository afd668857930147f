// One DATA_DIR serves every service, each in `<DATA_DIR>/<service>`; a second process on a
// directory already in use stops at start, and a SIGKILLed owner's lock does not block a restart.
// Real processes on the embedded engine (the lock guards PGlite; a server has its own).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  repoRoot,
  type RunningServices,
  type ServiceName,
  startServices,
} from '../../tools/services/launcher.ts';
import { call } from './support/stack.ts';

const PORTS: Partial<Record<ServiceName, number>> = {
  'user-service': 18181,
  'product-service': 18182,
};

let workDir: string;
let dataDir: string;
let services: RunningServices;

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'obs-data-dir-'));
  dataDir = join(workDir, 'data');
  services = await startServices({
    dataDir,
    logDir: join(workDir, 'logs'),
    ports: PORTS,
    services: ['user-service', 'product-service'],
    env: { JWT_SECRET: 'data-dir-test-secret-0123456789', OTEL_SDK_DISABLED: 'true' },
  });
});

after(async () => {
  await services?.stopAll();
  rmSync(workDir, { recursive: true, force: true });
});

/** Starts one more user-service on `dataDir`, as a second `npm start` would; its exit and output. */
function secondUserService(): Promise<{ code: number | null; output: string }> {
  const root = repoRoot();
  const dist = join(root, 'dist/apps/user-service');
  const child = spawn(
    process.execPath,
    ['--require', join(dist, 'instrumentation.js'), join(dist, 'main.js')],
    {
      cwd: root,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: '18191',
        OTEL_SDK_DISABLED: 'true',
        JWT_SECRET: 'data-dir-test-secret-0123456789',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  return new Promise((resolveExit) => child.once('close', (code) => resolveExit({ code, output })));
}

describe('DATA_DIR', () => {
  test('is the root: each service with storage keeps its own directory and lock in it', () => {
    assert.deepEqual(readdirSync(dataDir).sort(), [
      'product-service',
      'product-service.lock',
      'user-service',
      'user-service.lock',
    ]);
    assert.equal(
      readFileSync(join(dataDir, 'user-service.lock'), 'utf8'),
      `${services.pid('user-service')}\n`,
    );
  });

  test('a second process on a directory in use stops at start naming it, and writes nothing', async () => {
    const users = services.urls['user-service'];
    const before = await call(users, 'POST', '/users/register', {
      body: { email: 'first@example.com', password: 'long enough', name: 'First' },
    });
    assert.equal(before.status, 201);

    const second = await secondUserService();

    assert.notEqual(second.code, 0);
    assert.match(
      second.output,
      new RegExp(`data directory ${join(dataDir, 'user-service')} is in use by process`),
    );
    // The owner kept its lock and its data, and still answers.
    assert.equal(
      readFileSync(join(dataDir, 'user-service.lock'), 'utf8'),
      `${services.pid('user-service')}\n`,
    );
    const login = await call(users, 'POST', '/users/login', {
      body: { email: 'first@example.com', password: 'long enough' },
    });
    assert.equal(login.status, 200);
  });

  test('a service killed with SIGKILL restarts on its directory, its data intact', async () => {
    await services.stop('user-service', 'SIGKILL');
    await services.start('user-service');

    const login = await call(services.urls['user-service'], 'POST', '/users/login', {
      body: { email: 'first@example.com', password: 'long enough' },
    });
    assert.equal(login.status, 200);
    assert.equal(
      readFileSync(join(dataDir, 'user-service.lock'), 'utf8'),
      `${services.pid('user-service')}\n`,
    );
  });
});
