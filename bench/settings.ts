// The benchmark's settings, read once when a run starts (bench/README.md lists the variables).
// A malformed value stops the run before anything starts, naming the variable.
import { fail } from './broken.ts';
import { BUDGET_CONFIGURATIONS, CONFIGURATION_NAMES, PATH_NAMES } from './configurations.ts';
import type { ConfigurationName, PathName } from './configurations.ts';

/**
 * The V8 heap the services get in production. deploy/k8s gives each one 768 MiB,
 * and Node sizes its heap from that limit: 432 MB in all, of which 32 MB is the
 * young generation. On a host without a limit V8 sizes it from the host's memory
 * instead (4 GB and 128 MB of young generation on a 24 GB machine), which says
 * nothing about the services' footprint; so the benchmark passes the same size.
 */
const CONTAINER_HEAP_MB = 432;

export interface Settings {
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  vus: number;
  configurations: ConfigurationName[];
  paths: PathName[];
  /** The gateway's port; the other services take the next four. */
  portBase: number;
  /** 0: V8's default for this host. */
  maxHeapMb: number;
  build: boolean;
  cpuProfileDir: string | undefined;
  /** BENCH_ENV as given, and parsed: variables added to every configuration. */
  extraEnvText: string;
  extraEnv: Record<string, string>;
}

export function readSettings(env: NodeJS.ProcessEnv): Settings {
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
    extraEnvText: env.BENCH_ENV ?? '',
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
