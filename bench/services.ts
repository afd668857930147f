// The five services under benchmark: built once, started through the shared launcher
// (tools/services/launcher.ts) in one configuration on ports of their own, against the local
// PostgreSQL server, then stopped with the time that took.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SERVICE_NAMES, TOPOLOGY } from '../libs/api-contracts/src/topology.ts';
import type { ServiceName } from '../libs/api-contracts/src/topology.ts';
import { type RunningServices, startServices } from '../tools/services/launcher.ts';
import { fail } from './broken.ts';
import { configuration } from './configurations.ts';
import type { ConfigurationName } from './configurations.ts';
import type { Endpoint } from './endpoints.ts';
import { cpuSeconds } from './process-stats.ts';
import { median } from './statistics.ts';
import type { Settings } from './settings.ts';

const ROOT = join(import.meta.dirname, '..');

/** How long the services may take to exit on SIGTERM before they are killed. */
const STOP_TIMEOUT_MS = 60_000;

export function build(): void {
  try {
    execFileSync(
      'npx',
      ['nx', 'run-many', '-t', 'build', '-p', SERVICE_NAMES.join(','), '--output-style=static'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`${output.stdout ?? ''}${output.stderr ?? ''}`);
    fail('the build failed');
  }
}

/** tools/postgres/postgres.sh with these arguments; its output. */
export function postgres(...args: string[]): string {
  return execFileSync('bash', [join(ROOT, 'tools/postgres/postgres.sh'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** The topology's ports shifted so that the gateway listens on `portBase`. */
export function benchPorts(portBase: number): Record<ServiceName, number> {
  const shift = portBase - TOPOLOGY['api-gateway'].port;
  return Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, TOPOLOGY[name].port + shift]),
  ) as Record<ServiceName, number>;
}

/** Something else on our ports would answer the readiness checks and be measured instead. */
export async function assertPortsFree(ports: Record<ServiceName, number>): Promise<void> {
  const taken = await Promise.all(
    SERVICE_NAMES.map(
      (name) =>
        new Promise<string | undefined>((resolve) => {
          const socket = connect(ports[name], '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(`${ports[name]} (${name})`);
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

/** Starts all five in one configuration; resolves when all are ready, with how long that took. */
export async function startIn(
  name: ConfigurationName,
  options: {
    settings: Settings;
    endpoint: Endpoint;
    postgresUrl: string;
    workDir: string;
    /** The run's label: service logs go to `<workDir>/logs/<label>`. */
    label: string;
  },
): Promise<{ services: RunningServices; readySeconds: number }> {
  const { settings } = options;
  const { env, preload, builds, nodeOptions: configNodeOptions = [] } = configuration(name);
  if (builds && !existsSync(join(ROOT, builds)))
    fail(`${name} starts the services from ${builds}: copy another tree's dist/apps there first`);
  const serviceEnv: Partial<Record<ServiceName, Record<string, string>>> = {};
  for (const service of SERVICE_NAMES) {
    // Per-service variables win over `env`, so NODE_OPTIONS from BENCH_ENV is kept here.
    const nodeOptions = [...configNodeOptions];
    if (settings.extraEnv.NODE_OPTIONS) nodeOptions.push(settings.extraEnv.NODE_OPTIONS);
    if (settings.maxHeapMb > 0) nodeOptions.push(`--max-heap-size=${settings.maxHeapMb}`);
    if (settings.cpuProfileDir) {
      const dir = join(settings.cpuProfileDir, name, service);
      mkdirSync(dir, { recursive: true });
      nodeOptions.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
    }
    serviceEnv[service] = {
      ...(nodeOptions.length > 0 && { NODE_OPTIONS: nodeOptions.join(' ') }),
      // A preload of its own knows the service's name only from the environment.
      ...(preload && { OTEL_SERVICE_NAME: service }),
    };
  }
  const startedAt = performance.now();
  const services = await startServices({
    env: {
      JWT_SECRET: 'bench-only-jwt-secret-0123456789',
      OTEL_EXPORTER_OTLP_ENDPOINT: options.endpoint.url,
      ...env,
      ...settings.extraEnv,
    },
    serviceEnv,
    postgresUrl: options.postgresUrl,
    ports: benchPorts(settings.portBase),
    dataDir: join(options.workDir, 'data'),
    logDir: join(options.workDir, 'logs', options.label),
    readyTimeoutMs: 60_000,
    ...(preload && { preload: ['--require', preload] }),
    ...(builds && { builds }),
  });
  return { services, readySeconds: (performance.now() - startedAt) / 1000 };
}

/**
 * SIGTERM to all five, timed: a service whose exporter waits on a hung collector
 * shows it here. One that has not exited after STOP_TIMEOUT_MS is killed.
 */
export async function stopTimed(services: RunningServices): Promise<number> {
  const pids = SERVICE_NAMES.map((name) => services.pid(name)).filter((pid) => pid !== undefined);
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
    process.stdout.write(
      `bench: services still running ${STOP_TIMEOUT_MS / 1000} s after SIGTERM; killed\n`,
    );
  }
  return (performance.now() - startedAt) / 1000;
}

/** Scrapes each service's /metrics a few times the way Prometheus asks, and keeps the median. */
export async function scrapeTimes(services: RunningServices): Promise<Record<ServiceName, number>> {
  const result = {} as Record<ServiceName, number>;
  for (const name of SERVICE_NAMES) {
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

/** CPU seconds each service has used since it started. */
export function cpuByService(services: RunningServices): Record<ServiceName, number> {
  return Object.fromEntries(
    SERVICE_NAMES.map((name) => [
      name,
      cpuSeconds(services.pid(name) ?? fail(`${name} is not running`)),
    ]),
  ) as Record<ServiceName, number>;
}
