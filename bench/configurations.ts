// Every benchmark configuration, declared here and nowhere else: what it adds to the services'
// environment, where they send OTLP, whether the default run (and so the budget) includes it,
// and how the report compares it. bench/README.md describes each one.
//
// A new configuration is one more entry in CONFIGURATIONS; one whose services export to an
// endpoint of a new kind (a real Collector, say) also adds that kind to `Collector` and its
// start to bench/endpoints.ts.
import { join } from 'node:path';

/** Where a configuration's services send OTLP (bench/endpoints.ts starts each). */
export type Collector =
  /** A live endpoint that counts every export and answers at once. */
  | 'sink'
  /** A loopback port nothing listens on: every export is refused at connect. */
  | 'refused'
  /** A server that accepts connections, reads and never answers. */
  | 'hung'
  /** The project's Collector: first tier, one tail-sampling sampler, Jaeger (bench/collector.ts). */
  | 'otelcol';

export interface Configuration {
  /** What it adds to the services' environment (on top of JWT_SECRET and the endpoint). */
  env: Record<string, string>;
  /** Where the services send OTLP; `sink` when unset. */
  collector?: Collector;
  /** Preloads this file instead of each service's own instrumentation.js. */
  preload?: string;
  /**
   * Starts the services from another build, `dist/compare/apps` (copied there from another tree's
   * `dist/apps`), to compare two trees in one run; `dist/apps` when unset.
   */
  builds?: string;
  /** Node options for every service, before the benchmark's own (heap size, profiler). */
  nodeOptions?: string[];
  /** Part of the default run, which the budget is about; the others run only when BENCH_CONFIGS names them. */
  budget?: true;
  /** Telemetry set up elsewhere than this library: the budget's scrape and start-up lines leave it out. */
  thirdParty?: true;
  /** `default` with its collector broken: the report compares it with `default`. */
  outage?: true;
  /** A step of the per-instrumentation table: switches `instrumentation` on over `over`. */
  step?: { instrumentation: string; over: string };
}

/** The shipped defaults: in production, parent-based 10% sampling; info request logs. */
const DEFAULT_ENV = { LOG_LEVEL: 'info' };

/** Where the `*-compare` configurations start the services from. */
export const COMPARE_BUILDS = 'dist/compare/apps';

/** The instrumentations the per-instrumentation table switches on one at a time. */
const TABLE_INSTRUMENTATIONS = ['http', 'undici', 'pg', 'pino', 'express', 'nestjs-core'];

/** `default` with exactly these instrumentations on, through the standard variable. */
const onlyInstrumentations = (...names: string[]): Configuration['env'] => ({
  ...DEFAULT_ENV,
  ...(names.length > 0
    ? { OTEL_NODE_ENABLED_INSTRUMENTATIONS: names.join(',') }
    : { OTEL_NODE_DISABLED_INSTRUMENTATIONS: TABLE_INSTRUMENTATIONS.join(',') }),
});

/**
 * One step of the per-instrumentation table. `http` comes first because pg
 * (`requireParentSpan`), express and nestjs-core record nothing without the server span it makes.
 */
const step = (instrumentation: string, over: string, ...on: string[]): Configuration => ({
  env: onlyInstrumentations(...on),
  step: { instrumentation, over },
});

export const CONFIGURATIONS = {
  // No tracing at all, warn-level logs (no request log lines); /metrics still served.
  baseline: { env: { OTEL_SDK_DISABLED: 'true', LOG_LEVEL: 'warn' }, budget: true },
  default: { env: DEFAULT_ENV, budget: true },
  // Every trace recorded and exported.
  full: { env: { ...DEFAULT_ENV, OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, budget: true },
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
    budget: true,
    thirdParty: true,
  },
  // `default` while its OTLP endpoint refuses connections, or accepts them and never answers.
  'collector-down': { env: DEFAULT_ENV, collector: 'refused', budget: true, outage: true },
  'collector-hung': { env: DEFAULT_ENV, collector: 'hung', budget: true, outage: true },
  // Every span exported to the project's Collector, which keeps every failed or slow trace and
  // 10% of the rest after the request ended (docs/tail-sampling.md): `full` with a real
  // Collector in place of the sink, its CPU on the same machine.
  'tail-sampling': {
    env: { ...DEFAULT_ENV, OTEL_TRACES_SAMPLER: 'parentbased_always_on' },
    collector: 'otelcol',
  },
  // default's tracing alone: no request log lines.
  tracing: { env: { LOG_LEVEL: 'warn' } },
  // default's request log lines alone: no SDK.
  logging: { env: { OTEL_SDK_DISABLED: 'true', LOG_LEVEL: 'info' } },
  // default with AsyncLocalStorage on async_hooks, Node 22's implementation, instead of
  // Node 24's AsyncContextFrame: what the context manager costs on each.
  'default-async-hooks': { env: DEFAULT_ENV, nodeOptions: ['--no-async-context-frame'] },
  // baseline and default of another tree's build, copied into dist/compare/apps: a change
  // measured against the tree before it in one run.
  'baseline-compare': {
    env: { OTEL_SDK_DISABLED: 'true', LOG_LEVEL: 'warn' },
    builds: COMPARE_BUILDS,
  },
  'default-compare': { env: DEFAULT_ENV, builds: COMPARE_BUILDS },
  // The per-instrumentation table.
  'instr-none': { env: onlyInstrumentations() },
  'instr-http': step('http', 'instr-none', 'http'),
  'instr-http+undici': step('undici', 'instr-http', 'http', 'undici'),
  'instr-http+pg': step('pg', 'instr-http', 'http', 'pg'),
  'instr-http+pino': step('pino', 'instr-http', 'http', 'pino'),
  'instr-http+express': step('express', 'instr-http', 'http', 'express'),
  'instr-http+nestjs-core': step('nestjs-core', 'instr-http', 'http', 'nestjs-core'),
} satisfies Record<string, Configuration>;

export type ConfigurationName = keyof typeof CONFIGURATIONS;

/** Every configuration, in the order the report lists them. */
export const CONFIGURATION_NAMES = Object.keys(CONFIGURATIONS) as ConfigurationName[];

export function configuration(name: ConfigurationName): Configuration {
  return CONFIGURATIONS[name];
}

const namesWhere = (test: (c: Configuration) => boolean): ConfigurationName[] =>
  CONFIGURATION_NAMES.filter((name) => test(configuration(name)));

/**
 * The configurations of the default run, which the budget is about: `baseline`, `default` and
 * `full` of this library, `peer` (what teams copy from nestjs-otel's README) and `default` with
 * its collector down or hung.
 */
export const BUDGET_CONFIGURATIONS = namesWhere((c) => c.budget === true);

/** `default` with its OTLP endpoint refusing connections, or accepting them and never answering. */
export const OUTAGE_CONFIGURATIONS = namesWhere((c) => c.outage === true);

/** The per-instrumentation table: the configurations that are a step, in order. */
export const INSTRUMENTATION_STEPS = namesWhere((c) => c.step !== undefined).map((name) => {
  const { instrumentation, over } = configuration(name).step!;
  if (!(over in CONFIGURATIONS)) throw new Error(`bench configuration ${name}: no ${over}`);
  return { name, instrumentation, over: over as ConfigurationName };
});

/** The two request paths k6 drives, each measured in every configuration. */
export const PATH_NAMES = ['product', 'order'] as const;
export type PathName = (typeof PATH_NAMES)[number];

export const PATH_LABELS: Record<PathName, string> = {
  product: 'GET /api/products/:id',
  order: 'POST /api/orders',
};
