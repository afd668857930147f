// Starts the built services as separate processes, the way production runs
// them (`node --require ./instrumentation.js main.js`), for the end-to-end
// tests, the drills and the benchmark. Erasable TypeScript: Node runs it as is.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  SERVICE_NAMES,
  type ServiceName,
  TOPOLOGY,
  UPSTREAM_SERVICE_NAMES,
  urlVariableOf,
} from '../../libs/api-contracts/src/topology.ts';

export type { ServiceName };
export const SERVICES = SERVICE_NAMES;

export const DEFAULT_PORTS = shiftedPorts(0);

/** The database each service with storage owns on a shared PostgreSQL server. */
export const DATABASES: Partial<Record<ServiceName, string>> = Object.fromEntries(
  SERVICES.flatMap((name) => (TOPOLOGY[name].database ? [[name, TOPOLOGY[name].database]] : [])),
);

/** Every service's default port plus `offset`: a set of ports that leaves `npm start` alone. */
export function shiftedPorts(offset: number): Record<ServiceName, number> {
  return Object.fromEntries(SERVICES.map((name) => [name, TOPOLOGY[name].port + offset])) as Record<
    ServiceName,
    number
  >;
}

export interface LaunchOptions {
  /** Variables for every service, on top of this process's environment. */
  env?: Record<string, string>;
  /** Per-service variables, applied last. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Each service's embedded database lives in `<dataDir>/<service>`. */
  dataDir: string;
  /** Each service's stdout and stderr go to `<logDir>/<service>.log`. */
  logDir: string;
  ports?: Partial<Record<ServiceName, number>>;
  /**
   * A PostgreSQL server (`postgres://user@host:port`, e.g. tools/postgres/postgres.sh): each
   * service with storage uses its own database there. Unset: the embedded PGlite in `dataDir`.
   */
  postgresUrl?: string;
  services?: readonly ServiceName[];
  readyTimeoutMs?: number;
  /**
   * Node arguments that preload telemetry instead of the service's own
   * `--require ./instrumentation.js` (the benchmark's `peer` setup).
   */
  preload?: readonly string[];
}

export interface RunningServices {
  urls: Record<ServiceName, string>;
  /** Sends the signal and resolves with the exit code once the process is gone. */
  stop(name: ServiceName, signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts a stopped service again, with the same environment plus `env`, and waits until it is ready. */
  start(name: ServiceName, env?: Record<string, string>): Promise<void>;
  stopAll(): Promise<void>;
  logFile(name: ServiceName): string;
  pid(name: ServiceName): number | undefined;
}

/** The workspace root: the nearest folder above the working directory that holds nx.json. */
export function repoRoot(from = process.cwd()): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nx.json above ${from}`);
  }
}

export async function startServices(options: LaunchOptions): Promise<RunningServices> {
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const urls = Object.fromEntries(
    SERVICES.map((name) => [name, `http://127.0.0.1:${ports[name]}`]),
  ) as Record<ServiceName, string>;
  const processes = new Map<ServiceName, ChildProcess>();
  mkdirSync(options.logDir, { recursive: true });

  const envFor = (name: ServiceName): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: 'production',
    ...Object.fromEntries(
      UPSTREAM_SERVICE_NAMES.map((callee) => [urlVariableOf(callee), urls[callee]]),
    ),
    ...options.env,
    PORT: String(ports[name]),
    DATA_DIR: options.dataDir,
    ...(options.postgresUrl && DATABASES[name]
      ? { DATABASE_URL: `${options.postgresUrl.replace(/\/$/, '')}/${DATABASES[name]}` }
      : {}),
    ...options.serviceEnv?.[name],
  });

  const logFile = (name: ServiceName) => join(options.logDir, `${name}.log`);

  const start = async (name: ServiceName, env: Record<string, string> = {}) => {
    const root = repoRoot();
    const dist = join(root, 'dist/apps', name);
    // The service writes its stdout and stderr to the file itself, as under
    // `node main.js >> service.log`: copying them through a pipe in this process
    // would spend the launcher's CPU on every log line, on the same cores as the
    // services the benchmark measures.
    const log = openSync(logFile(name), 'a');
    const preload = options.preload ?? ['--require', join(dist, 'instrumentation.js')];
    const child = spawn(process.execPath, [...preload, join(dist, 'main.js')], {
      cwd: root,
      env: { ...envFor(name), ...env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    processes.set(name, child);
    await waitUntilReady(name, urls[name], child, options.readyTimeoutMs ?? 60_000);
  };

  const stop = (name: ServiceName, signal: NodeJS.Signals = 'SIGTERM') => {
    const child = processes.get(name);
    processes.delete(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      return Promise.resolve(child?.exitCode ?? null);
    }
    return new Promise<number | null>((resolveExit) => {
      child.once('exit', (code) => resolveExit(code));
      child.kill(signal);
    });
  };

  const running: RunningServices = {
    urls,
    start,
    stop,
    stopAll: async () => {
      await Promise.all([...processes.keys()].map((name) => stop(name)));
    },
    logFile,
    pid: (name) => processes.get(name)?.pid,
  };

  try {
    await Promise.all((options.services ?? SERVICES).map((name) => start(name)));
  } catch (error) {
    await running.stopAll();
    throw error;
  }
  return running;
}

async function waitUntilReady(
  name: string,
  url: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((wake) => setTimeout(wake, 200));
  }
  throw new Error(`${name} was not ready at ${url} within ${timeoutMs} ms`);
}
