// A drill judges the alerts that fire while it runs, but the SLO burn-rate alerts
// keep firing for up to an hour after an earlier incident (their long windows
// remember it). So that each drill of a series starts from a quiet system, the
// local stack is restarted with empty Prometheus, Alertmanager and sink data.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { DrillConfig } from './config.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const STACK = path.join(REPO, 'deploy/local/stack.sh');

/** DRILL_FRESH_STACK=1 (the default for a suite): restart the background stack empty before each drill. */
export function wantsFreshStack(config: DrillConfig, suite: boolean): boolean {
  return config.freshStack ?? suite;
}

export function restartStackEmpty(config: DrillConfig, note: (line: string) => void): void {
  const env = { ...process.env, STACK_PROFILE: config.stackProfile, STACK_DIR: config.stackDir };
  spawnSync('bash', [STACK, 'stop'], { env, stdio: 'ignore' });
  for (const part of ['prometheus', 'alertmanager', 'webhook-sink']) {
    rmSync(path.join(config.stackDir, part), { recursive: true, force: true });
  }
  const started = spawnSync('bash', [STACK, 'start'], { env, encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`stack.sh start failed: ${started.stderr}`);
  note('local stack restarted with empty data (DRILL_FRESH_STACK=1)');
}
