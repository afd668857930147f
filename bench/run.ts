// npm run bench: what the telemetry costs. Builds the five services, starts them
// in production mode against a local PostgreSQL and a live OTLP sink, drives the
// gateway with k6 at fixed concurrency in each configuration (configurations.ts),
// interleaved and repeated, and writes reports/bench/latest.json and latest.md.
// See bench/README.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '../libs/api-contracts/src/topology.ts';
import type { ServiceName } from '../libs/api-contracts/src/topology.ts';
import { logIn, register } from '../tools/harness/sign-up.ts';
import type { Account } from '../tools/harness/sign-up.ts';
import type { RunningServices } from '../tools/services/launcher.ts';
import { BenchBroken } from './broken.ts';
import { configuration } from './configurations.ts';
import type { ConfigurationName, PathName } from './configurations.ts';
import { startEndpoints } from './endpoints.ts';
import type { Endpoints } from './endpoints.ts';
import { installK6, runK6 } from './k6.ts';
import { describeMachine } from './machine.ts';
import { toMarkdown } from './markdown.ts';
import { sampleRss } from './process-stats.ts';
import { buildReport } from './report.ts';
import type { Measurement, ServicesRun } from './report.ts';
import {
  assertPortsFree,
  benchPorts,
  build,
  cpuByService,
  postgres,
  scrapeTimes,
  startIn,
  stopTimed,
} from './services.ts';
import { readSettings } from './settings.ts';
import type { Settings } from './settings.ts';

const REPORT_DIR = join(import.meta.dirname, '../reports/bench');

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** What every measurement of one run shares. */
interface Run {
  settings: Settings;
  endpoints: Endpoints;
  k6: string;
  workDir: string;
  /** The local PostgreSQL server; each service with storage uses its own database there. */
  postgresUrl: string;
  /** The user whose token places the orders, registered on the first start. */
  user: Account;
}

const startConfiguration = (run: Run, name: ConfigurationName, label: string) =>
  startIn(name, {
    settings: run.settings,
    endpoint: run.endpoints.of(configuration(name).collector ?? 'sink'),
    postgresUrl: run.postgresUrl,
    workDir: run.workDir,
    label,
  });

/** Warm-up, then one measured k6 run on one path with the services' CPU and memory read alongside. */
async function measure(
  run: Run,
  services: RunningServices,
  token: string,
  name: ConfigurationName,
  round: number,
  path: PathName,
): Promise<Measurement> {
  const k6 = (durationSeconds: number) =>
    runK6({
      binary: run.k6,
      gateway: services.urls['api-gateway'],
      path,
      token,
      vus: run.settings.vus,
      durationSeconds,
      workDir: run.workDir,
    });
  await k6(run.settings.warmupSeconds);
  const pids = Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, services.pid(service)!]),
  ) as Record<ServiceName, number>;
  const cpuBefore = cpuByService(services);
  const runnerBefore = process.cpuUsage();
  const rss = sampleRss(pids);
  const summary = await k6(run.settings.durationSeconds);
  const peakRssMb = rss.stop();
  const cpuAfter = cpuByService(services);
  const runner = process.cpuUsage(runnerBefore);
  const cpuMsPerRequestByService = Object.fromEntries(
    SERVICE_NAMES.map((service) => [
      service,
      ((cpuAfter[service] - cpuBefore[service]) * 1000) / summary.requests,
    ]),
  ) as Record<ServiceName, number>;
  return {
    round,
    configuration: name,
    path,
    requests: summary.requests,
    rps: summary.rps,
    failedRate: summary.failedRate,
    p50Ms: summary.p50Ms,
    p99Ms: summary.p99Ms,
    cpuMsPerRequest: Object.values(cpuMsPerRequestByService).reduce((sum, ms) => sum + ms, 0),
    cpuMsPerRequestByService,
    runnerCpuMsPerRequest: (runner.user + runner.system) / 1000 / summary.requests,
    peakRssMb,
  };
}

/** Round r runs the configurations rotated by r, so none always runs first or last. */
function rotated<T>(items: T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function main(): Promise<number> {
  const benchStartedAt = performance.now();
  let settings: Settings;
  try {
    settings = readSettings(process.env);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 1;
  }
  log(
    `bench: ${settings.rounds} rounds × ${settings.configurations.join('/')} × ${settings.paths.join('/')}, ` +
      `${settings.vus} VUs, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per path`,
  );
  if (settings.build) {
    log('bench: building the services');
    build();
  }
  const k6 = installK6();
  postgres('start');
  postgres('reset');
  await assertPortsFree(benchPorts(settings.portBase));

  // A variable from the caller's shell would change what a configuration means.
  for (const name of Object.keys(process.env)) {
    if (
      name.startsWith('OTEL_') ||
      ['LOG_LEVEL', 'NODE_OPTIONS', 'DATABASE_URL', 'FAULT_INJECTION'].includes(name)
    )
      delete process.env[name];
  }

  // `sink` for the first start, then the endpoint of every configuration measured.
  const endpoints = await startEndpoints([
    'sink',
    ...settings.configurations.map((name) => configuration(name).collector ?? 'sink'),
  ]);
  const workDir = mkdtempSync(join(os.tmpdir(), 'obs-bench-'));
  const run: Run = {
    settings,
    endpoints,
    k6: k6.binary,
    workDir,
    // `postgres.sh url` names a database; the launcher wants the server.
    postgresUrl: postgres('url').replace(/\/[^/]*$/, ''),
    user: {
      email: `bench-${Date.now()}@example.com`,
      password: 'bench-password-123',
      name: 'Bench',
    },
  };

  let current: RunningServices | undefined;
  const stopOnSignal = () => {
    void (current?.stopAll() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  try {
    // The first start migrates the empty databases and seeds the catalogue; it is timed
    // on its own, and used to register the user whose token places the orders.
    const first = await startConfiguration(run, 'baseline', 'first-start');
    current = first.services;
    await register(first.services.urls['api-gateway'], run.user);
    await first.services.stopAll();
    log(`bench: first start (migrations, seed) ready in ${first.readySeconds.toFixed(1)} s`);

    const measurements: Measurement[] = [];
    const runs: ServicesRun[] = [];
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const name of rotated(settings.configurations, round - 1)) {
        const { services, readySeconds } = await startConfiguration(run, name, `${name}-${round}`);
        current = services;
        const endpoint = endpoints.of(configuration(name).collector ?? 'sink');
        let started: Omit<ServicesRun, 'stopSeconds'> | undefined;
        try {
          const token = await logIn(services.urls['api-gateway'], run.user);
          endpoint.take();
          for (const path of settings.paths) {
            const m = await measure(run, services, token, name, round, path);
            measurements.push(m);
            log(
              `bench: round ${round} ${name.padEnd(22)} ${path.padEnd(7)} ` +
                `${m.rps.toFixed(0).padStart(5)} req/s  p50 ${m.p50Ms.toFixed(1)} ms  p99 ${m.p99Ms.toFixed(1)} ms  ` +
                `cpu ${m.cpuMsPerRequest.toFixed(2)} ms/req  max rss ${Math.max(...Object.values(m.peakRssMb)).toFixed(0)} MB`,
            );
          }
          const scrapeMs = await scrapeTimes(services);
          started = { round, configuration: name, readySeconds, scrapeMs, otlp: endpoint.take() };
        } finally {
          const stopSeconds = await stopTimed(services);
          current = undefined;
          if (started) runs.push({ ...started, stopSeconds });
        }
      }
    }

    const report = buildReport({
      machine: describeMachine(),
      settings: {
        rounds: settings.rounds,
        vus: settings.vus,
        warmupSeconds: settings.warmupSeconds,
        durationSeconds: settings.durationSeconds,
        configurations: settings.configurations.join(','),
        paths: settings.paths.join(','),
        ...(Object.keys(settings.extraEnv).length > 0 && { extraEnv: settings.extraEnvText }),
        database: 'postgresql (tools/postgres/postgres.sh)',
        maxHeapMb: settings.maxHeapMb || 'V8 default for this host',
        loadGenerator: `k6 (${k6.version})`,
      },
      measurements,
      runs,
      firstStartReadySeconds: first.readySeconds,
      durationSeconds: (performance.now() - benchStartedAt) / 1000,
    });
    mkdirSync(REPORT_DIR, { recursive: true });
    writeFileSync(
      join(REPORT_DIR, 'latest.json'),
      JSON.stringify({ ...report, measurements, runs }, null, 2) + '\n',
    );
    const markdown = toMarkdown(report);
    writeFileSync(join(REPORT_DIR, 'latest.md'), markdown);
    rmSync(workDir, { recursive: true, force: true });
    // The markdown's last line is the verdict, so it is also the last line printed.
    log('');
    log(markdown.trimEnd());
    return 0;
  } catch (error) {
    await current?.stopAll();
    log(`bench: service logs kept in ${workDir}/logs`);
    throw error;
  } finally {
    await endpoints.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: the benchmark could not run: ${message}\n`);
    if (!(error instanceof BenchBroken) && error instanceof Error)
      process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
