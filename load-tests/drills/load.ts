// The k6 load a drill drives while its fault is on: the `load` scenario at DRILL_RATE journeys/s
// with the drill's journey mix, thresholds off (the drill breaks them on purpose), metrics
// remote-written to Prometheus under testid=drill-<name>-<timestamp>.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DrillConfig } from './config.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

export interface LoadRun {
  testid: string;
  /** Stops k6 gracefully (SIGINT) and resolves with its exit code. */
  stop(): Promise<number | null>;
}

export function k6Binary(): string {
  return execFileSync('bash', [path.join(REPO, 'load-tests/bin/install-k6.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

export function startLoad(
  config: DrillConfig,
  options: { testid: string; mix: string; outDir: string },
): LoadRun {
  fs.mkdirSync(options.outDir, { recursive: true });
  const log = fs.openSync(path.join(options.outDir, 'k6.log'), 'a');
  const child: ChildProcess = spawn(
    k6Binary(),
    [
      'run',
      '--no-thresholds',
      '--quiet',
      '--tag',
      `testid=${options.testid}`,
      '-o',
      'experimental-prometheus-rw',
      '--summary-export',
      path.join(options.outDir, 'summary.json'),
      path.join(REPO, 'load-tests/scenarios/load.ts'),
    ],
    {
      cwd: REPO,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        BASE_URL: config.gatewayUrl,
        TESTID: options.testid,
        RATE: String(config.loadRate),
        DURATION: '2h', // stopped by the drill; the bound is a safety net
        MIX: options.mix,
        THINK_TIME: '0.2',
        K6_PROMETHEUS_RW_SERVER_URL: `${config.prometheusUrl}/api/v1/write`,
        K6_PROMETHEUS_RW_TREND_STATS: 'p(95),p(99),min,max,avg',
        K6_NO_USAGE_REPORT: 'true',
      },
    },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    testid: options.testid,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      fs.closeSync(log);
      return code;
    },
  };
}
