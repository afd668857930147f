// Turns the benchmark's measurements into the report: medians across rounds with
// their spread, the ratios to the baseline, and the budget verdict.
import type { ServiceName } from '../tools/services/launcher.ts';

/**
 * The three the budget is about, then two that split `default` into its parts
 * (run only when BENCH_CONFIGS names them): `tracing` without the request log
 * lines, `logging` without the SDK.
 */
export const CONFIGURATION_NAMES = ['baseline', 'default', 'full', 'tracing', 'logging'] as const;
export type ConfigurationName = (typeof CONFIGURATION_NAMES)[number];
export const BUDGET_CONFIGURATIONS: readonly ConfigurationName[] = ['baseline', 'default', 'full'];
export const PATH_NAMES = ['product', 'order'] as const;
export type PathName = (typeof PATH_NAMES)[number];

export const PATH_LABELS: Record<PathName, string> = {
  product: 'GET /api/products/:id',
  order: 'POST /api/orders',
};

/** The overhead budget of issue 5. */
export const BUDGET = {
  throughputRatioDefault: 0.9,
  p99RatioDefault: 1.15,
  throughputRatioFull: 0.8,
  peakRssMb: 200,
  scrapeMs: 50,
  readySeconds: 15,
};

/** One measured k6 run: one path, one configuration, one round. */
export interface Measurement {
  round: number;
  configuration: ConfigurationName;
  path: PathName;
  requests: number;
  rps: number;
  failedRate: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of the five services together, divided by the requests k6 made. */
  cpuMsPerRequest: number;
  cpuMsPerRequestByService: Record<ServiceName, number>;
  /**
   * CPU of the benchmark's own process (the OTLP sink, k6's supervision): it
   * shares the machine with the services.
   */
  runnerCpuMsPerRequest: number;
  /** Highest VmRSS sampled while the load ran. */
  peakRssMb: Record<ServiceName, number>;
}

/** One start of the five services in one configuration. */
export interface ServicesRun {
  round: number;
  configuration: ConfigurationName;
  readySeconds: number;
  /** Median of a few consecutive scrapes of each service's /metrics after the load. */
  scrapeMs: Record<ServiceName, number>;
  otlp: { requests: number; bytes: number };
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface ConfigurationFigures {
  rps: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  cpuMsPerRequest: Spread;
  cpuMsPerRequestByService: Record<string, number>;
  runnerCpuMsPerRequest: number;
}

export interface PathFigures {
  label: string;
  configurations: Partial<Record<ConfigurationName, ConfigurationFigures>>;
  throughputRatioDefault?: number;
  throughputRatioFull?: number;
  p99RatioDefault?: number;
  p99RatioFull?: number;
  /** The same ratios round by round, to show how much of a difference is noise. */
  roundRatios: {
    round: number;
    throughputDefault?: number;
    throughputFull?: number;
    p99Default?: number;
  }[];
}

export interface BudgetCheck {
  name: string;
  value: number | undefined;
  limit: string;
  met: boolean;
}

export interface BenchReport {
  generatedAt: string;
  machine: Record<string, string | number>;
  settings: Record<string, string | number>;
  product?: PathFigures;
  order?: PathFigures;
  /** Highest resident set of any one service under load, in MiB (any configuration). */
  peakRssMb: number;
  peakRssMbByService: Record<string, number>;
  peakRssMbByConfiguration: Record<string, Record<string, number>>;
  /** Slowest /metrics scrape (median of consecutive scrapes) of any service, in ms. */
  scrapeMs: number;
  scrapeMsByService: Record<string, number>;
  /** Slowest start of the five services to all ready, in seconds (migrations already applied). */
  readySeconds: number;
  readySecondsMedian: number;
  /** The first start on the freshly reset databases, migrations and catalogue seed included. */
  firstStartReadySeconds: number;
  otlpExport: Record<string, { requests: number; bytes: number }>;
  budget: { met: boolean; failures: string[]; checks: BudgetCheck[] };
  durationSeconds: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b;

function pathFigures(path: PathName, measurements: Measurement[]): PathFigures | undefined {
  const mine = measurements.filter((m) => m.path === path);
  if (mine.length === 0) return undefined;
  const configurations: PathFigures['configurations'] = {};
  for (const name of CONFIGURATION_NAMES) {
    const runs = mine.filter((m) => m.configuration === name);
    if (runs.length === 0) continue;
    const services = Object.keys(runs[0].cpuMsPerRequestByService) as ServiceName[];
    configurations[name] = {
      rps: spread(runs.map((m) => m.rps)),
      p50Ms: spread(runs.map((m) => m.p50Ms)),
      p99Ms: spread(runs.map((m) => m.p99Ms)),
      cpuMsPerRequest: spread(runs.map((m) => m.cpuMsPerRequest)),
      cpuMsPerRequestByService: Object.fromEntries(
        services.map((s) => [s, median(runs.map((m) => m.cpuMsPerRequestByService[s]))]),
      ),
      runnerCpuMsPerRequest: median(runs.map((m) => m.runnerCpuMsPerRequest)),
    };
  }
  const { baseline, default: shipped, full } = configurations;
  const rounds = [...new Set(mine.map((m) => m.round))].sort((a, b) => a - b);
  const find = (round: number, name: ConfigurationName) =>
    mine.find((m) => m.round === round && m.configuration === name);
  return {
    label: PATH_LABELS[path],
    configurations,
    throughputRatioDefault: ratio(shipped?.rps.median, baseline?.rps.median),
    throughputRatioFull: ratio(full?.rps.median, baseline?.rps.median),
    p99RatioDefault: ratio(shipped?.p99Ms.median, baseline?.p99Ms.median),
    p99RatioFull: ratio(full?.p99Ms.median, baseline?.p99Ms.median),
    roundRatios: rounds.map((round) => ({
      round,
      throughputDefault: ratio(find(round, 'default')?.rps, find(round, 'baseline')?.rps),
      throughputFull: ratio(find(round, 'full')?.rps, find(round, 'baseline')?.rps),
      p99Default: ratio(find(round, 'default')?.p99Ms, find(round, 'baseline')?.p99Ms),
    })),
  };
}

function maxByKey(records: Record<string, number>[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const record of records)
    for (const [key, value] of Object.entries(record))
      result[key] = Math.max(result[key] ?? 0, value);
  return result;
}

export function buildReport(input: {
  machine: BenchReport['machine'];
  settings: BenchReport['settings'];
  measurements: Measurement[];
  runs: ServicesRun[];
  firstStartReadySeconds: number;
  durationSeconds: number;
}): BenchReport {
  const { measurements, runs } = input;
  const peakRssMbByService = maxByKey(measurements.map((m) => m.peakRssMb));
  const peakRssMbByConfiguration = Object.fromEntries(
    CONFIGURATION_NAMES.filter((c) => measurements.some((m) => m.configuration === c)).map((c) => [
      c,
      maxByKey(measurements.filter((m) => m.configuration === c).map((m) => m.peakRssMb)),
    ]),
  );
  const scrapeMsByService = maxByKey(runs.map((r) => r.scrapeMs));
  const otlpExport: BenchReport['otlpExport'] = {};
  for (const run of runs) {
    const total = (otlpExport[run.configuration] ??= { requests: 0, bytes: 0 });
    total.requests += run.otlp.requests;
    total.bytes += run.otlp.bytes;
  }
  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    machine: input.machine,
    settings: input.settings,
    product: pathFigures('product', measurements),
    order: pathFigures('order', measurements),
    peakRssMb: Math.max(...Object.values(peakRssMbByService)),
    peakRssMbByService,
    peakRssMbByConfiguration,
    scrapeMs: Math.max(...Object.values(scrapeMsByService)),
    scrapeMsByService,
    readySeconds: Math.max(...runs.map((r) => r.readySeconds)),
    readySecondsMedian: median(runs.map((r) => r.readySeconds)),
    firstStartReadySeconds: input.firstStartReadySeconds,
    otlpExport,
    budget: { met: false, failures: [], checks: [] },
    durationSeconds: input.durationSeconds,
  };
  report.budget = checkBudget(report);
  return report;
}

function checkBudget(report: BenchReport): BenchReport['budget'] {
  const checks: BudgetCheck[] = [];
  const atLeast = (name: string, value: number | undefined, limit: number) =>
    checks.push({ name, value, limit: `>= ${limit}`, met: value !== undefined && value >= limit });
  const atMost = (name: string, value: number | undefined, limit: number) =>
    checks.push({ name, value, limit: `<= ${limit}`, met: value !== undefined && value <= limit });
  const below = (name: string, value: number | undefined, limit: number) =>
    checks.push({ name, value, limit: `< ${limit}`, met: value !== undefined && value < limit });
  for (const path of PATH_NAMES) {
    const figures = report[path];
    atLeast(
      `${path} throughput default/baseline`,
      figures?.throughputRatioDefault,
      BUDGET.throughputRatioDefault,
    );
    atMost(`${path} p99 default/baseline`, figures?.p99RatioDefault, BUDGET.p99RatioDefault);
    atLeast(
      `${path} throughput full/baseline`,
      figures?.throughputRatioFull,
      BUDGET.throughputRatioFull,
    );
  }
  for (const [service, mb] of Object.entries(report.peakRssMbByService))
    below(`${service} peak RSS MB`, mb, BUDGET.peakRssMb);
  below('/metrics scrape ms', report.scrapeMs, BUDGET.scrapeMs);
  atMost('all five ready s', report.readySeconds, BUDGET.readySeconds);
  const failures = checks
    .filter((c) => !c.met)
    .map(
      (c) =>
        `${c.name} ${c.value === undefined ? 'not measured' : format(c.value)} (budget ${c.limit})`,
    );
  return { met: failures.length === 0, failures, checks };
}

/** Enough digits that a value just short of its limit does not print as the limit. */
function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(3);
}

const range = (s: Spread, digits = 1) =>
  `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
const maybe = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));

/** The report as markdown: the same figures as the JSON, for people. */
export function toMarkdown(report: BenchReport): string {
  const lines: string[] = [];
  const m = report.machine;
  const s = report.settings;
  lines.push(
    '# Telemetry overhead benchmark',
    '',
    `${report.generatedAt} · ${m.cpus} × ${m.cpuModel} · Node ${m.node} · ${m.os}`,
    `${s.rounds} rounds × configurations ${s.configurations} × paths ${s.paths}; ` +
      `${s.vus} VUs, ${s.warmupSeconds} s warm-up + ${s.durationSeconds} s measured per path; ` +
      `whole run ${report.durationSeconds.toFixed(0)} s`,
    '',
    'Figures are medians across rounds, with (min–max) across rounds.',
  );
  for (const path of PATH_NAMES) {
    const figures = report[path];
    if (!figures) continue;
    lines.push(
      '',
      `## ${figures.label}`,
      '',
      '| configuration | req/s | p50 ms | p99 ms | CPU ms/req (5 services) | req/s vs baseline | p99 vs baseline | bench process CPU ms/req |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const name of CONFIGURATION_NAMES) {
      const c = figures.configurations[name];
      if (!c) continue;
      const base = figures.configurations.baseline;
      lines.push(
        `| ${name} | ${range(c.rps, 0)} | ${range(c.p50Ms)} | ${range(c.p99Ms)} | ${range(c.cpuMsPerRequest, 2)} | ` +
          `${maybe(ratio(c.rps.median, base?.rps.median))} | ${maybe(ratio(c.p99Ms.median, base?.p99Ms.median))} | ` +
          `${c.runnerCpuMsPerRequest.toFixed(3)} |`,
      );
    }
    lines.push(
      '',
      'Round by round (throughput default/baseline, full/baseline; p99 default/baseline): ' +
        figures.roundRatios
          .map(
            (r) =>
              `${r.round}: ${maybe(r.throughputDefault)}, ${maybe(r.throughputFull)}; ${maybe(r.p99Default)}`,
          )
          .join(' · '),
    );
    const cpu = Object.entries(figures.configurations).map(
      ([name, c]) =>
        `${name} ` +
        Object.entries(c.cpuMsPerRequestByService)
          .map(([service, ms]) => `${service.replace('-service', '')} ${ms.toFixed(2)}`)
          .join(', '),
    );
    lines.push('', `CPU ms per request by service: ${cpu.join(' · ')}`);
  }
  const configurations = Object.keys(report.peakRssMbByConfiguration);
  lines.push(
    '',
    '## Memory, /metrics, start-up',
    '',
    `| service | ${configurations.map((c) => `peak RSS MB (${c})`).join(' | ')} | /metrics scrape ms |`,
    `| --- | ${configurations.map(() => '---').join(' | ')} | --- |`,
  );
  for (const service of Object.keys(report.peakRssMbByService)) {
    lines.push(
      `| ${service} | ${configurations.map((c) => report.peakRssMbByConfiguration[c][service]?.toFixed(0) ?? '–').join(' | ')} | ${report.scrapeMsByService[service]?.toFixed(1) ?? '–'} |`,
    );
  }
  lines.push(
    '',
    `All five ready: slowest ${report.readySeconds.toFixed(1)} s, median ${report.readySecondsMedian.toFixed(1)} s ` +
      `(first start on empty databases, migrations and seed included: ${report.firstStartReadySeconds.toFixed(1)} s).`,
    '',
    'OTLP export received by the sink: ' +
      Object.entries(report.otlpExport)
        .map(([c, o]) => `${c} ${o.requests} requests, ${(o.bytes / 1024 / 1024).toFixed(1)} MiB`)
        .join(' · '),
    '',
    '## Budget',
    '',
    '| check | value | budget | met |',
    '| --- | --- | --- | --- |',
    ...report.budget.checks.map(
      (c) =>
        `| ${c.name} | ${c.value === undefined ? '–' : format(c.value)} | ${c.limit} | ${c.met ? 'yes' : '**no**'} |`,
    ),
    '',
    report.budget.met
      ? 'bench: budget met'
      : `bench: budget not met: ${report.budget.failures.join('; ')}`,
  );
  return lines.join('\n') + '\n';
}
