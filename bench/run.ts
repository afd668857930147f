// npm run bench: what the telemetry costs. Builds the five services, starts them
// in production mode against a local PostgreSQL and a live OTLP sink, drives the
// gateway with k6 at fixed concurrency in each configuration, interleaved and
// repeated, and writes reports/bench/latest.json and latest.md. See bench/README.md.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_PORTS,
  repoRoot,
  type RunningServices,
  SERVICES,
  type ServiceName,
  startServices,
} from '../tools/services/launcher.ts';
import { refusedEndpoint, startHungCollector, startOtlpSink, type OtlpSink } from './otlp-sink.ts';
import { cpuSeconds, sampleRss } from './process-stats.ts';
import {
  BUDGET_CONFIGURATIONS,
  buildReport,
  CONFIGURATION_NAMES,
  type ConfigurationName,
  type Measurement,
  median,
  PATH_LABELS,
  PATH_NAMES,
  type PathName,
  type ServicesRun,
  toMarkdown,
} from './report.ts';

const ROOT = repoRoot(import.meta.dirname);
const REPORT_DIR = join(ROOT, 'reports/bench');

interface Configuration {
  /** What it adds to the services' environment. */
  env: Record<string, string>;
  /** Where the services send OTLP: the live sink, unless the collector is down or hung. */
  collector?: 'sink' | 'refused' | 'hung';
  /** Preloads this file instead of each service's own instrumentation.js. */
  preload?: string;
}

/** The shipped defaults: in production, parent-based 10% sampling; info request logs. */
const DEFAULT_ENV = { LOG_LEVEL: 'info' };

/** The instrumentations the per-instrumentation table switches on one at a time. */
const TABLE_INSTRUMENTATIONS = ['http', 'undici', 'pg', 'pino', 'express', 'nestjs-core'];

/** `default` with exactly these instrumentations on, through the standard variable. */
const onlyInstrumentations = (...names: string[]): Configuration => ({
  env: {
    ...DEFAULT_ENV,
    ...(names.length > 0
      ? { OTEL_NODE_ENABLED_INSTRUMENTATIONS: names.join(',') }
      : { OTEL_NODE_DISABLED_INSTRUMENTATIONS: TABLE_INSTRUMENTATIONS.join(',') }),
  },
});

const CONFIGURATIONS: Record<ConfigurationName, Configuration> = {
  // No tracing at all, warn-level logs (no request log lines); /metrics still served.
  baseline: { env: { OTEL_SDK_DISABLED: 'true', LOG_LEVEL: 'warn' } },
  default: { env: DEFAULT_ENV },
  // Every trace recorded and exported.
  full: { env: { ...DEFAULT_ENV, OTEL_TRACES_SAMPLER: 'parentbased_always_on' } },
  // What teams copy from nestjs-otel's README (bench/peer/tracing.cjs): NodeSDK with
  // every auto-instrumentation at its defaults, sampled, exported and logged like `default`.
  peer: {
    env: {
      ...DEFAULT_ENV,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      OTEL_LOGS_EXPORTER: 'none',
    },
    preload: join(import.meta.dirname, 'peer/tracing.cjs'),
  },
  // `default` while its OTLP endpoint refuses connections, or accepts them and never answers.
  'collector-down': { env: DEFAULT_ENV, collector: 'refused' },
  'collector-hung': { env: DEFAULT_ENV, collector: 'hung' },
  // default's tracing alone: no request log lines.
  tracing: { env: { LOG_LEVEL: 'warn' } },
  // default's request log lines alone: no SDK.
  logging: { env: { OTEL_SDK_DISABLED: 'true', LOG_LEVEL: 'info' } },
  // The per-instrumentation table (report.ts INSTRUMENTATION_STEPS).
  'instr-none': onlyInstrumentations(),
  'instr-http': onlyInstrumentations('http'),
  'instr-http+undici': onlyInstrumentations('http', 'undici'),
  'instr-http+pg': onlyInstrumentations('http', 'pg'),
  'instr-http+pino': onlyInstrumentations('http', 'pino'),
  'instr-http+express': onlyInstrumentations('http', 'express'),
  'instr-http+nestjs-core': onlyInstrumentations('http', 'nestjs-core'),
};

/** How long the services may take to exit on SIGTERM before they are killed. */
const STOP_TIMEOUT_MS = 60_000;

/**
 * The V8 heap the services get in production. deploy/k8s gives each one 768 MiB,
 * and Node sizes its heap from that limit: 432 MB in all, of which 32 MB is the
 * young generation. On a host without a limit V8 sizes it from the host's memory
 * instead (4 GB and 128 MB of young generation on a 24 GB machine), which says
 * nothing about the services' footprint; so the benchmark passes the same size.
 */
const CONTAINER_HEAP_MB = 432;

/** The benchmark itself could not run (as opposed to a budget it measured and missed). */
class BenchBroken extends Error {}

function fail(message: string): never {
  throw new BenchBroken(message);
}

const settings = (() => {
  try {
    return readSettings(process.env);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    process.exit(1);
  }
})();

function readSettings(env: NodeJS.ProcessEnv) {
  const seconds = (name: string, fallback: number) => {
    const raw = env[name]?.trim().replace(/s$/, '');
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0)
      fail(`${name}: expected seconds, like 15 or 15s, got "${env[name]}"`);
    return value;
  };
  const whole = (name: string, fallback: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0)
      fail(`${name}: expected a whole number, got "${raw}"`);
    return value;
  };
  const count = (name: string, fallback: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0)
      fail(`${name}: expected a positive integer, got "${raw}"`);
    return value;
  };
  const subset = <T extends string>(name: string, all: readonly T[], fallback = all): T[] => {
    const raw = env[name]?.trim();
    if (!raw) return [...fallback];
    const chosen = raw.split(',').map((item) => item.trim());
    const unknown = chosen.filter((item) => !all.includes(item as T));
    if (unknown.length > 0)
      fail(`${name}: unknown ${unknown.join(', ')} (choose from ${all.join(', ')})`);
    return all.filter((item) => chosen.includes(item));
  };
  return {
    durationSeconds: seconds('BENCH_DURATION', 15),
    warmupSeconds: seconds('BENCH_WARMUP', 5),
    rounds: count('BENCH_ROUNDS', 4),
    vus: count('BENCH_VUS', 16),
    configurations: subset('BENCH_CONFIGS', CONFIGURATION_NAMES, BUDGET_CONFIGURATIONS),
    paths: subset('BENCH_PATHS', PATH_NAMES),
    portBase: count('BENCH_PORT_BASE', 28080),
    maxHeapMb: whole('BENCH_MAX_HEAP_MB', CONTAINER_HEAP_MB),
    build: env.BENCH_SKIP_BUILD !== '1',
    cpuProfileDir: env.BENCH_CPU_PROF?.trim() || undefined,
    extraEnv: keyValues('BENCH_ENV', env.BENCH_ENV),
  };
}

/** `A=1 B=2`: variables added to every configuration, to try a change without editing code. */
function keyValues(name: string, raw: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of raw?.trim().split(/\s+/).filter(Boolean) ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) fail(`${name}: expected NAME=value pairs separated by spaces, got "${pair}"`);
    result[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return result;
}

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

// ---------------------------------------------------------------- preparation

function build(): void {
  log('bench: building the services');
  const projects = SERVICES.join(',');
  try {
    execFileSync(
      'npx',
      ['nx', 'run-many', '-t', 'build', '-p', projects, '--output-style=static'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`${output.stdout ?? ''}${output.stderr ?? ''}`);
    fail('the build failed');
  }
}

function postgres(...args: string[]): string {
  return execFileSync('bash', [join(ROOT, 'tools/postgres/postgres.sh'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

function k6Binary(): string {
  return execFileSync('bash', [join(ROOT, 'load-tests/bin/install-k6.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

const PORTS = Object.fromEntries(
  SERVICES.map((name) => [
    name,
    settings.portBase + DEFAULT_PORTS[name] - DEFAULT_PORTS['api-gateway'],
  ]),
) as Record<ServiceName, number>;

/** Something else on our ports would answer the readiness checks and be measured instead. */
async function assertPortsFree(): Promise<void> {
  const taken = await Promise.all(
    SERVICES.map(
      (name) =>
        new Promise<string | undefined>((resolve) => {
          const socket = connect(PORTS[name], '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(`${PORTS[name]} (${name})`);
          });
          socket.once('error', () => resolve(undefined));
        }),
    ),
  );
  const busy = taken.filter(Boolean);
  if (busy.length > 0)
    fail(
      `ports already in use: ${busy.join(', ')}; stop what listens there or set BENCH_PORT_BASE`,
    );
}

function describeMachine(): Record<string, string | number> {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel =
      /^Model name:\s*(.+)$/m.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1] ?? cpuModel;
  } catch {
    // lscpu is missing: keep what Node reports.
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.versions.node,
    os: `${os.type()} ${os.release()}`,
  };
}

// ---------------------------------------------------------------- services

interface Context {
  sink: OtlpSink;
  /** The two broken collectors of `collector-down` and `collector-hung`. */
  refused: string;
  hung: OtlpSink;
  k6: string;
  workDir: string;
  /** The local PostgreSQL server; each service with storage uses its own database there. */
  postgresUrl: string;
  user: { email: string; password: string };
}

function endpointOf(context: Context, configuration: ConfigurationName): OtlpSink | string {
  const { collector = 'sink' } = CONFIGURATIONS[configuration];
  return collector === 'refused' ? context.refused : context[collector];
}

async function start(
  context: Context,
  configuration: ConfigurationName,
  label: string,
): Promise<{ services: RunningServices; readySeconds: number }> {
  const { env, preload } = CONFIGURATIONS[configuration];
  const endpoint = endpointOf(context, configuration);
  const serviceEnv: Partial<Record<ServiceName, Record<string, string>>> = {};
  for (const name of SERVICES) {
    // Per-service variables win over `env`, so NODE_OPTIONS from BENCH_ENV is kept here.
    const nodeOptions = settings.extraEnv.NODE_OPTIONS ? [settings.extraEnv.NODE_OPTIONS] : [];
    if (settings.maxHeapMb > 0) nodeOptions.push(`--max-heap-size=${settings.maxHeapMb}`);
    if (settings.cpuProfileDir) {
      const dir = join(settings.cpuProfileDir, configuration, name);
      mkdirSync(dir, { recursive: true });
      nodeOptions.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
    }
    serviceEnv[name] = {
      ...(nodeOptions.length > 0 && { NODE_OPTIONS: nodeOptions.join(' ') }),
      // A preload of its own knows the service's name only from the environment.
      ...(preload && { OTEL_SERVICE_NAME: name }),
    };
  }
  const startedAt = performance.now();
  const services = await startServices({
    env: {
      JWT_SECRET: 'bench-only-jwt-secret-0123456789',
      OTEL_EXPORTER_OTLP_ENDPOINT: typeof endpoint === 'string' ? endpoint : endpoint.endpoint,
      ...env,
      ...settings.extraEnv,
    },
    serviceEnv,
    postgresUrl: context.postgresUrl,
    ports: PORTS,
    dataDir: join(context.workDir, 'data'),
    logDir: join(context.workDir, 'logs', label),
    readyTimeoutMs: 60_000,
    ...(preload && { preload: ['--require', preload] }),
  });
  return { services, readySeconds: (performance.now() - startedAt) / 1000 };
}

/**
 * SIGTERM to all five, timed: a service whose exporter waits on a hung collector
 * shows it here. One that has not exited after STOP_TIMEOUT_MS is killed.
 */
async function stop(services: RunningServices): Promise<number> {
  const pids = SERVICES.map((name) => services.pid(name)).filter((pid) => pid !== undefined);
  const startedAt = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
  });
  const outcome = await Promise.race([services.stopAll(), timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    log(`bench: services still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM; killed`);
  }
  return (performance.now() - startedAt) / 1000;
}

async function api<T>(url: string, body: unknown, expected: number[]): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) fail(`POST ${url} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function login(services: RunningServices, user: Context['user']): Promise<string> {
  const gateway = services.urls['api-gateway'];
  const { accessToken } = await api<{ accessToken: string }>(
    `${gateway}/api/auth/login`,
    user,
    [200],
  );
  return accessToken;
}

/** Scrapes each service's /metrics a few times the way Prometheus asks, and keeps the median. */
async function scrapeTimes(services: RunningServices): Promise<Record<ServiceName, number>> {
  const result = {} as Record<ServiceName, number>;
  for (const name of SERVICES) {
    const samples: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const startedAt = performance.now();
      const response = await fetch(`${services.urls[name]}/metrics`, {
        headers: {
          accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5',
        },
      });
      await response.text();
      if (!response.ok) fail(`${name} /metrics answered ${response.status}`);
      samples.push(performance.now() - startedAt);
    }
    result[name] = median(samples);
  }
  return result;
}

// ---------------------------------------------------------------- load

interface K6Summary {
  requests: number;
  rps: number;
  failedRate: number;
  p50Ms: number;
  p99Ms: number;
}

async function k6(
  context: Context,
  path: PathName,
  token: string,
  durationSeconds: number,
  gateway: string,
) {
  const summaryFile = join(context.workDir, 'k6-summary.json');
  rmSync(summaryFile, { force: true });
  const child: ChildProcess = spawn(
    context.k6,
    ['run', '--quiet', '--no-usage-report', '--no-thresholds', join(ROOT, 'bench/load.ts')],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        BASE_URL: gateway,
        BENCH_PATH: path,
        VUS: String(settings.vus),
        DURATION: `${durationSeconds}s`,
        TOKEN: token,
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
        `see the service logs in ${context.workDir}/logs`,
    );
  }
  return summary;
}

function cpuByService(services: RunningServices): Record<ServiceName, number> {
  return Object.fromEntries(
    SERVICES.map((name) => [
      name,
      cpuSeconds(services.pid(name) ?? fail(`${name} is not running`)),
    ]),
  ) as Record<ServiceName, number>;
}

/** Warm-up, then one measured k6 run on one path with the services' CPU and memory read alongside. */
async function measure(
  context: Context,
  services: RunningServices,
  token: string,
  configuration: ConfigurationName,
  round: number,
  path: PathName,
): Promise<Measurement> {
  const gateway = services.urls['api-gateway'];
  await k6(context, path, token, settings.warmupSeconds, gateway);
  const pids = Object.fromEntries(SERVICES.map((name) => [name, services.pid(name)!])) as Record<
    ServiceName,
    number
  >;
  const cpuBefore = cpuByService(services);
  const runnerBefore = process.cpuUsage();
  const rss = sampleRss(pids);
  const summary = await k6(context, path, token, settings.durationSeconds, gateway);
  const peakRssMb = rss.stop();
  const cpuAfter = cpuByService(services);
  const runner = process.cpuUsage(runnerBefore);
  const cpuMsPerRequestByService = Object.fromEntries(
    SERVICES.map((name) => [name, ((cpuAfter[name] - cpuBefore[name]) * 1000) / summary.requests]),
  ) as Record<ServiceName, number>;
  return {
    round,
    configuration,
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

// ---------------------------------------------------------------- main

/** Round r runs the configurations rotated by r, so none always runs first or last. */
function rotated<T>(items: T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function main(): Promise<number> {
  const benchStartedAt = performance.now();
  log(
    `bench: ${settings.rounds} rounds × ${settings.configurations.join('/')} × ${settings.paths.join('/')}, ` +
      `${settings.vus} VUs, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per path`,
  );
  if (settings.build) build();
  const k6Path = k6Binary();
  postgres('start');
  postgres('reset');
  await assertPortsFree();

  // A variable from the caller's shell would change what a configuration means.
  for (const name of Object.keys(process.env)) {
    if (
      name.startsWith('OTEL_') ||
      ['LOG_LEVEL', 'NODE_OPTIONS', 'DATABASE_URL', 'FAULT_INJECTION'].includes(name)
    )
      delete process.env[name];
  }

  const sink = await startOtlpSink();
  const hung = await startHungCollector();
  const workDir = mkdtempSync(join(os.tmpdir(), 'obs-bench-'));
  const context: Context = {
    sink,
    refused: await refusedEndpoint(),
    hung,
    k6: k6Path,
    workDir,
    // `postgres.sh url` names a database; the launcher wants the server.
    postgresUrl: postgres('url').replace(/\/[^/]*$/, ''),
    user: { email: `bench-${Date.now()}@example.com`, password: 'bench-password-123' },
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
    const first = await start(context, 'baseline', 'first-start');
    current = first.services;
    await api(
      `${first.services.urls['api-gateway']}/api/auth/register`,
      { ...context.user, name: 'Bench' },
      [201],
    );
    await first.services.stopAll();
    log(`bench: first start (migrations, seed) ready in ${first.readySeconds.toFixed(1)} s`);

    const measurements: Measurement[] = [];
    const runs: ServicesRun[] = [];
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const configuration of rotated(settings.configurations, round - 1)) {
        const { services, readySeconds } = await start(
          context,
          configuration,
          `${configuration}-${round}`,
        );
        current = services;
        const endpoint = endpointOf(context, configuration);
        const take = () =>
          typeof endpoint === 'string' ? { requests: 0, bytes: 0 } : endpoint.take();
        let run: Omit<ServicesRun, 'stopSeconds'> | undefined;
        try {
          const token = await login(services, context.user);
          take();
          for (const path of settings.paths) {
            const m = await measure(context, services, token, configuration, round, path);
            measurements.push(m);
            log(
              `bench: round ${round} ${configuration.padEnd(22)} ${path.padEnd(7)} ` +
                `${m.rps.toFixed(0).padStart(5)} req/s  p50 ${m.p50Ms.toFixed(1)} ms  p99 ${m.p99Ms.toFixed(1)} ms  ` +
                `cpu ${m.cpuMsPerRequest.toFixed(2)} ms/req  max rss ${Math.max(...Object.values(m.peakRssMb)).toFixed(0)} MB`,
            );
          }
          const scrapeMs = await scrapeTimes(services);
          run = { round, configuration, readySeconds, scrapeMs, otlp: take() };
        } finally {
          const stopSeconds = await stop(services);
          current = undefined;
          if (run) runs.push({ ...run, stopSeconds });
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
        ...(Object.keys(settings.extraEnv).length > 0 && { extraEnv: process.env.BENCH_ENV ?? '' }),
        database: 'postgresql (tools/postgres/postgres.sh)',
        maxHeapMb: settings.maxHeapMb || 'V8 default for this host',
        loadGenerator: `k6 (${execFileSync(k6Path, ['version'], { encoding: 'utf8' }).split(' ')[1]})`,
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
    await sink.close();
    await hung.close();
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
