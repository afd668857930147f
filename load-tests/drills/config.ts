// The drill runner's settings, read once when a run starts: where it finds the stack and the
// services, how it drives them, and where it writes. Every address is a loopback default
// (the ports of deploy/README.md and libs/api-contracts/src/topology.ts), overridable by
// environment variable; load-tests/README.md lists them. Nothing else in the runner reads
// process.env.
import path from 'node:path';
import { SERVICE_NAMES, TOPOLOGY } from '../../libs/api-contracts/src/topology.ts';
import type { ServiceName } from '../../libs/api-contracts/src/topology.ts';

export { SERVICE_NAMES };
export type { ServiceName };

export interface DrillConfig {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** The webhook sink Alertmanager notifies (deploy/webhook-sink). */
  webhookSinkUrl: string;
  grafanaUrl: string;
  jaegerUrl: string;
  gatewayUrl: string;
  /** Services already running (DRILL_SERVICES=running) are found here: BASE_URL, then each service's URL variable. */
  serviceUrls: Record<ServiceName, string>;
  /** Bearer token for the services' /admin/faults endpoints. */
  adminToken: string;
  /** JWT_SECRET for the services the runner launches (they run with NODE_ENV=production). */
  jwtSecret: string;
  /** Journeys per second the drill load drives through the gateway. */
  loadRate: number;
  /** Seconds of load before the fault, so the rate() windows have traffic to compare with. */
  warmupSeconds: number;
  /** Seconds the fault stays on after detection, for alerts the same fault would also raise. */
  observeSeconds: number;
  reportsDir: string;
  /** How long to wait for alerts left by an earlier drill to resolve before starting. */
  settleSeconds: number;
  /** auto: launch the services unless all five already answer; running: drill those that do. */
  servicesMode: 'auto' | 'running';
  /** postgres: the launched services use a PostgreSQL server started here; embedded: PGlite. */
  storage: 'postgres' | 'embedded';
  /** Restart the local stack empty before each drill; undefined: only in a suite. */
  freshStack: boolean | undefined;
  /** The local stack's profile and data directory (deploy/local/stack.sh). */
  stackProfile: string;
  stackDir: string;
}

const REPO = path.resolve(import.meta.dirname, '../..');

/** Reads every setting once; a malformed value is an error naming its variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): DrillConfig {
  const gatewayUrl = env.BASE_URL ?? `http://127.0.0.1:${TOPOLOGY['api-gateway'].port}`;
  return {
    prometheusUrl: env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090',
    alertmanagerUrl: env.ALERTMANAGER_URL ?? 'http://127.0.0.1:9093',
    webhookSinkUrl: env.WEBHOOK_SINK_URL ?? 'http://127.0.0.1:9095',
    grafanaUrl: env.GRAFANA_URL ?? 'http://127.0.0.1:3000',
    jaegerUrl: env.JAEGER_URL ?? 'http://127.0.0.1:16686',
    gatewayUrl,
    serviceUrls: Object.fromEntries(
      SERVICE_NAMES.map((name) => {
        const variable = TOPOLOGY[name].urlVariable;
        const fallback = `http://127.0.0.1:${TOPOLOGY[name].port}`;
        return [name, variable ? (env[variable] ?? fallback) : gatewayUrl];
      }),
    ) as Record<ServiceName, string>,
    adminToken: env.ADMIN_TOKEN ?? 'drill-admin-token',
    jwtSecret: env.JWT_SECRET ?? 'drill-only-jwt-secret',
    loadRate: positive(env, 'DRILL_RATE', 8),
    warmupSeconds: nonNegative(env, 'DRILL_WARMUP_SECONDS', 30),
    observeSeconds: nonNegative(env, 'DRILL_OBSERVE_SECONDS', 90),
    reportsDir: env.DRILL_REPORTS_DIR ?? 'reports/drills',
    settleSeconds: nonNegative(env, 'DRILL_SETTLE_SECONDS', 420),
    servicesMode: oneOf(env, 'DRILL_SERVICES', ['auto', 'running'] as const),
    storage: oneOf(env, 'DRILL_STORAGE', ['postgres', 'embedded'] as const),
    freshStack: env.DRILL_FRESH_STACK === undefined ? undefined : env.DRILL_FRESH_STACK === '1',
    stackProfile: env.STACK_PROFILE ?? 'drill',
    stackDir: env.STACK_DIR ?? path.join(REPO, '.data/stack'),
  };
}

function nonNegative(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`${name} must be a number >= 0, got "${env[name]}"`);
  return value;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a number > 0, got "${env[name]}"`);
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[]): T {
  const value = env[name] ?? values[0];
  if (!values.includes(value as T))
    throw new Error(`${name} must be one of ${values.join(', ')}, got "${value}"`);
  return value as T;
}
