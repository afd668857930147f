// What the live tests of this folder share: the templates rendered as a run mode would, a real
// Alertmanager on a free loopback port, and helper processes stopped at the end.
// ALERTMANAGER_BIN overrides the binary (default: alertmanager, else Debian's prometheus-alertmanager).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const alertmanagerDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repo = join(alertmanagerDir, '..', '..');

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(what, check, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function alertmanagerBinary() {
  if (process.env.ALERTMANAGER_BIN) return process.env.ALERTMANAGER_BIN;
  const found = spawnSync('sh', ['-c', 'command -v alertmanager || command -v prometheus-alertmanager'], {
    encoding: 'utf8',
  });
  return found.stdout.trim() || 'alertmanager';
}

/** A scratch directory and the processes started in it; `stop()` ends them and removes it. */
export function session(name) {
  const work = mkdtempSync(join(tmpdir(), `${name}-`));
  const children = [];

  function start(command, args, env = {}) {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => code && console.error(`${command} exited ${code}:\n${stderr}`));
    children.push(child);
    return child;
  }

  /**
   * Renders both templates with `env` and the secret files `secrets` (name -> content), as
   * stack.sh and compose do, then starts Alertmanager on them. Returns its base URL.
   */
  async function startAlertmanager(env, secrets = {}) {
    const secretsDir = join(work, 'secrets');
    mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
    for (const [key, value] of Object.entries(secrets)) writeFileSync(join(secretsDir, key), value, { mode: 0o600 });
    for (const file of ['alertmanager.yml', 'notifications.tmpl']) {
      const render = spawnSync(
        'sh',
        [join(alertmanagerDir, 'render.sh'), join(alertmanagerDir, file === 'alertmanager.yml' ? 'alertmanager.yml.tmpl' : file), join(work, file)],
        { env: { ...process.env, ALERTMANAGER_SECRETS_DIR: secretsDir, ...env }, encoding: 'utf8' },
      );
      assert.equal(render.status, 0, render.stderr);
    }
    const port = await freePort();
    start(alertmanagerBinary(), [
      `--config.file=${join(work, 'alertmanager.yml')}`,
      `--storage.path=${join(work, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ]);
    const url = `http://127.0.0.1:${port}`;
    await waitFor('alertmanager', async () => (await fetch(`${url}/-/ready`)).ok);
    return url;
  }

  function stop() {
    for (const child of children) child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }

  return { work, start, startAlertmanager, stop };
}

/** Posts alerts to Alertmanager's API as Prometheus does. */
export async function postAlerts(alertmanager, alerts) {
  const response = await fetch(`${alertmanager}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  assert.equal(response.status, 200, await response.text());
}
