// Driving k6: one run of bench/load.ts on one path at fixed concurrency, read back from the
// compact summary it writes. A run with more than 1% failed requests stops the benchmark.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from './broken.ts';
import { PATH_LABELS } from './configurations.ts';
import type { PathName } from './configurations.ts';

const ROOT = join(import.meta.dirname, '..');

export interface K6Summary {
  requests: number;
  rps: number;
  failedRate: number;
  p50Ms: number;
  p99Ms: number;
}

/** The k6 binary (load-tests/bin/install-k6.sh builds it once) and its version. */
export function installK6(): { binary: string; version: string } {
  const binary = execFileSync('bash', [join(ROOT, 'load-tests/bin/install-k6.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const version = execFileSync(binary, ['version'], { encoding: 'utf8' }).split(' ')[1];
  return { binary, version };
}

export async function runK6(options: {
  binary: string;
  gateway: string;
  path: PathName;
  token: string;
  vus: number;
  durationSeconds: number;
  /** Where the summary goes, and where the failure message points for the service logs. */
  workDir: string;
}): Promise<K6Summary> {
  const { path, workDir } = options;
  const summaryFile = join(workDir, 'k6-summary.json');
  rmSync(summaryFile, { force: true });
  const child = spawn(
    options.binary,
    ['run', '--quiet', '--no-usage-report', '--no-thresholds', join(ROOT, 'bench/load.ts')],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        BASE_URL: options.gateway,
        BENCH_PATH: path,
        VUS: String(options.vus),
        DURATION: `${options.durationSeconds}s`,
        TOKEN: options.token,
        SUMMARY: summaryFile,
        K6_NO_USAGE_REPORT: 'true',
      },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) fail(`k6 exited with ${code} on ${PATH_LABELS[path]}:\n${stderr.slice(-2000)}`);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as K6Summary;
  if (summary.requests === 0 || summary.failedRate > 0.01) {
    fail(
      `${PATH_LABELS[path]}: ${(summary.failedRate * 100).toFixed(1)}% of ${summary.requests} requests failed; ` +
        `see the service logs in ${workDir}/logs`,
    );
  }
  return summary;
}
