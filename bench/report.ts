// Turns the benchmark's measurements into the report: medians across rounds with
// their spread, the ratios to the baseline, and the budget verdict.
import type { ServiceName } from '../tools/services/launcher.ts';

/**
 * The configurations of the default run, which the budget is about: `baseline`,
 * `default` and `full` of this library, `peer` (what teams copy from nestjs-otel's
 * README) and `default` with its collector down or hung. Then, only when
 * BENCH_CONFIGS names them, two that split `default` into its parts (`tracing`
 * without the request log lines, `logging` without the SDK) and the steps of the
 * per-instrumentation table.
 */
export const CONFIGURATION_NAMES = [
  'baseline',
  'default',
  'full',
  'peer',
  'collector-down',
  'collector-hung',
  'tracing',
  'logging',
  'instr-none',
  'instr-http',
  'instr-http+undici',
  'instr-http+pg',
  'instr-http+pino',
  'instr-http+express',
  'instr-http+nestjs-core',
] as const;
export type ConfigurationName = (typeof CONFIGURATION_NAMES)[number];
export const BUDGET_CONFIGURATIONS: readonly ConfigurationName[] = [
  'baseline',
  'default',
  'full',
  'peer',
  'collector-down',
  'collector-hung',
];
/** `default` with its OTLP endpoint refusing connections, or accepting them and never answering. */
export const OUTAGE_CONFIGURATIONS: readonly ConfigurationName[] = [
  'collector-down',
  'collector-hung',
];

/**
 * The per-instrumentation table: each step switches one instrumentation on over
 * the configuration it names. `http` comes first because pg (`requireParentSpan`),
 * express and nestjs-core record nothing without the server span it makes.
 */
export const INSTRUMENTATION_STEPS: Partial<
  Record<ConfigurationName, { instrumentation: string; over: ConfigurationName }>
> = {
  'instr-http': { instrumentation: 'http', over: 'instr-none' },
  'instr-http+undici': { instrumentation: 'undici', over: 'instr-http' },
  'instr-http+pg': { instrumentation: 'pg', over: 'instr-http' },
  'instr-http+pino': { instrumentation: 'pino', over: 'instr-http' },
  'instr-http+express': { instrumentation: 'express', over: 'instr-http' },
  'instr-http+nestjs-core': { instrumentation: 'nestjs-core', over: 'instr-http' },
};

export const PATH_NAMES = ['product', 'order'] as const;
export type PathName = (typeof PATH_NAMES)[number];

export const PATH_LABELS: Record<PathName, string> = {
  product: 'GET /api/products/:id',
  order: 'POST /api/orders',
};

/** The overhead budget of issue 10, with the collector outages of issue 13. */
export const BUDGET = {
  /** `default` loses at most this share of the throughput `peer` loses. */
  lossShareOfPeer: 1 / 3,
  throughputRatioDefault: { product: 0.8, order: 0.9 } as Record<PathName, number>,
  p99RatioDefault: 1.3,
  throughputRatioFull: 0.7,
  /** Throughput of an outage configuration over `default`'s. */
  throughputRatioOutage: 0.95,
  /** Peak RSS of each service in `default` (and in an outage) over its `baseline` peak. */
  peakRssOverBaselineMb: 40,
  peakRssMb: 256,
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
  /**
   * What reached the OTLP endpoint while the load ran: export requests and bytes
   * at the sink, connections and bytes at the hung collector, none where refused.
   */
  otlp: { requests: number; bytes: number };
  /** From SIGTERM to all five processes gone. */
  stopSeconds: number;
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

/**
 * One configuration over another, two ways: the ratio of the medians across rounds
 * (what the budget judges) and the median of the ratios paired round by round
 * (both ran in the same round, so a slow phase of the machine hits both).
 */
export interface Ratio {
  ofMedians?: number;
  paired?: number;
}

export interface PathFigures {
  label: string;
  configurations: Partial<Record<ConfigurationName, ConfigurationFigures>>;
  /** Throughput and p99 of every configuration over `baseline`'s. */
  vsBaseline: Partial<Record<ConfigurationName, { throughput: Ratio; p99: Ratio }>>;
  /** Throughput and p99 of each outage configuration over `default`'s. */
  vsDefault: Partial<Record<ConfigurationName, { throughput: Ratio; p99: Ratio }>>;
  throughputRatioDefault?: number;
  throughputRatioFull?: number;
  throughputRatioPeer?: number;
  p99RatioDefault?: number;
  p99RatioFull?: number;
  p99RatioPeer?: number;
  /** The paired ratios of each round, to show how much of a difference is noise. */
  roundRatios: {
    round: number;
    throughput: Partial<Record<ConfigurationName, number>>;
    p99: Partial<Record<ConfigurationName, number>>;
    outageThroughput: Partial<Record<ConfigurationName, number>>;
  }[];
}

export interface BudgetCheck {
  name: string;
  value: number | undefined;
  limit: string;
  met: boolean;
  /** The same check on the ratios paired round by round; the verdict does not use it. */
  paired?: string;
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
  /** The slowest start by configuration. */
  readySecondsByConfiguration: Record<string, number>;
  /** The slowest stop (SIGTERM to exit) by configuration. */
  stopSecondsByConfiguration: Record<string, number>;
  /** The first start on the freshly reset databases, migrations and catalogue seed included. */
  firstStartReadySeconds: number;
  otlpExport: Record<string, { requests: number; bytes: number }>;
  budget: { met: boolean; failures: string[]; checks: BudgetCheck[]; missing: string[] };
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

const medianOrUndefined = (values: (number | undefined)[]) => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? median(known) : undefined;
};

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
  const rounds = [...new Set(mine.map((m) => m.round))].sort((a, b) => a - b);
  const find = (round: number, name: ConfigurationName) =>
    mine.find((m) => m.round === round && m.configuration === name);
  const present = CONFIGURATION_NAMES.filter((name) => configurations[name]);
  const outages = OUTAGE_CONFIGURATIONS.filter((name) => configurations[name]);
  const roundRatios: PathFigures['roundRatios'] = rounds.map((round) => ({
    round,
    throughput: Object.fromEntries(
      present.map((c) => [c, ratio(find(round, c)?.rps, find(round, 'baseline')?.rps)]),
    ),
    p99: Object.fromEntries(
      present.map((c) => [c, ratio(find(round, c)?.p99Ms, find(round, 'baseline')?.p99Ms)]),
    ),
    outageThroughput: Object.fromEntries(
      outages.map((c) => [c, ratio(find(round, c)?.rps, find(round, 'default')?.rps)]),
    ),
  }));
  const compare = (name: ConfigurationName, over: ConfigurationName) => ({
    throughput: {
      ofMedians: ratio(configurations[name]?.rps.median, configurations[over]?.rps.median),
      paired: medianOrUndefined(rounds.map((r) => ratio(find(r, name)?.rps, find(r, over)?.rps))),
    },
    p99: {
      ofMedians: ratio(configurations[name]?.p99Ms.median, configurations[over]?.p99Ms.median),
      paired: medianOrUndefined(
        rounds.map((r) => ratio(find(r, name)?.p99Ms, find(r, over)?.p99Ms)),
      ),
    },
  });
  const vsBaseline = Object.fromEntries(present.map((c) => [c, compare(c, 'baseline')]));
  const vsDefault = Object.fromEntries(outages.map((c) => [c, compare(c, 'default')]));
  return {
    label: PATH_LABELS[path],
    configurations,
    vsBaseline,
    vsDefault,
    throughputRatioDefault: vsBaseline.default?.throughput.ofMedians,
    throughputRatioFull: vsBaseline.full?.throughput.ofMedians,
    throughputRatioPeer: vsBaseline.peer?.throughput.ofMedians,
    p99RatioDefault: vsBaseline.default?.p99.ofMedians,
    p99RatioFull: vsBaseline.full?.p99.ofMedians,
    p99RatioPeer: vsBaseline.peer?.p99.ofMedians,
    roundRatios,
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
  const present = CONFIGURATION_NAMES.filter((c) => runs.some((r) => r.configuration === c));
  const peakRssMbByService = maxByKey(measurements.map((m) => m.peakRssMb));
  const peakRssMbByConfiguration = Object.fromEntries(
    present.map((c) => [
      c,
      maxByKey(measurements.filter((m) => m.configuration === c).map((m) => m.peakRssMb)),
    ]),
  );
  // The budget's scrape and start-up lines are about this library; `peer` is reported beside.
  const ours = runs.filter((r) => r.configuration !== 'peer');
  const scrapeMsByService = maxByKey(ours.map((r) => r.scrapeMs));
  const slowest = (key: 'readySeconds' | 'stopSeconds') =>
    Object.fromEntries(
      present.map((c) => [
        c,
        Math.max(...runs.filter((r) => r.configuration === c).map((r) => r[key])),
      ]),
    );
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
    readySeconds: Math.max(...ours.map((r) => r.readySeconds)),
    readySecondsMedian: median(ours.map((r) => r.readySeconds)),
    readySecondsByConfiguration: slowest('readySeconds'),
    stopSecondsByConfiguration: slowest('stopSeconds'),
    firstStartReadySeconds: input.firstStartReadySeconds,
    otlpExport,
    budget: { met: false, failures: [], checks: [], missing: [] },
    durationSeconds: input.durationSeconds,
  };
  report.budget = checkBudget(report);
  return report;
}

/** Enough digits that a value just short of its limit does not print as the limit. */
function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(3);
}

function checkBudget(report: BenchReport): BenchReport['budget'] {
  const checks: BudgetCheck[] = [];
  const pairedText = (value: number | undefined, met: boolean) =>
    value === undefined ? undefined : `${format(value)} (${met ? 'met' : 'not met'})`;
  const atLeast = (name: string, ratio: Ratio | undefined, limit: number) =>
    checks.push({
      name,
      value: ratio?.ofMedians,
      limit: `>= ${limit}`,
      met: ratio?.ofMedians !== undefined && ratio.ofMedians >= limit,
      paired: pairedText(ratio?.paired, ratio?.paired !== undefined && ratio.paired >= limit),
    });
  const atMost = (name: string, ratio: Ratio | undefined, limit: number) =>
    checks.push({
      name,
      value: ratio?.ofMedians,
      limit: `<= ${limit}`,
      met: ratio?.ofMedians !== undefined && ratio.ofMedians <= limit,
      paired: pairedText(ratio?.paired, ratio?.paired !== undefined && ratio.paired <= limit),
    });
  const share = BUDGET.lossShareOfPeer;
  for (const path of PATH_NAMES) {
    const figures = report[path];
    const vs = figures?.vsBaseline;
    // (1 − default/baseline) <= (1 − peer/baseline) / 3: the value is default's loss,
    // the limit a third of peer's loss in the same run.
    const loss = (r: number | undefined) => (r === undefined ? undefined : 1 - r);
    const ours = loss(vs?.default?.throughput.ofMedians);
    const peers = loss(vs?.peer?.throughput.ofMedians);
    const oursPaired = loss(vs?.default?.throughput.paired);
    const peersPaired = loss(vs?.peer?.throughput.paired);
    const limit = peers === undefined ? undefined : peers * share;
    const pairedLimit = peersPaired === undefined ? undefined : peersPaired * share;
    checks.push({
      name: `${path} throughput loss of default (1 - default/baseline)`,
      value: ours,
      limit:
        limit === undefined
          ? '<= peer loss / 3 (peer not measured)'
          : `<= peer loss / 3 = ${format(peers!)} / 3 = ${format(limit)}`,
      met: ours !== undefined && limit !== undefined && ours <= limit,
      paired:
        oursPaired === undefined || pairedLimit === undefined
          ? undefined
          : `${format(oursPaired)} vs ${format(peersPaired!)} / 3 (${oursPaired <= pairedLimit ? 'met' : 'not met'})`,
    });
    atLeast(
      `${path} throughput default/baseline`,
      vs?.default?.throughput,
      BUDGET.throughputRatioDefault[path],
    );
    atMost(`${path} p99 default/baseline`, vs?.default?.p99, BUDGET.p99RatioDefault);
    atLeast(`${path} throughput full/baseline`, vs?.full?.throughput, BUDGET.throughputRatioFull);
    for (const outage of OUTAGE_CONFIGURATIONS)
      atLeast(
        `${path} throughput ${outage}/default`,
        figures?.vsDefault[outage]?.throughput,
        BUDGET.throughputRatioOutage,
      );
  }
  const baselineRss = report.peakRssMbByConfiguration.baseline ?? {};
  for (const configuration of ['default', ...OUTAGE_CONFIGURATIONS] as const) {
    const peaks = report.peakRssMbByConfiguration[configuration] ?? {};
    for (const service of Object.keys(report.peakRssMbByService)) {
      const mb = peaks[service];
      const base = baselineRss[service];
      const limit = base === undefined ? undefined : base + BUDGET.peakRssOverBaselineMb;
      checks.push({
        name: `${service} peak RSS MB in ${configuration}`,
        value: mb,
        limit:
          `<= baseline ${base === undefined ? '(not measured)' : `${base.toFixed(0)} + ${BUDGET.peakRssOverBaselineMb}`}` +
          `, < ${BUDGET.peakRssMb}`,
        met: mb !== undefined && limit !== undefined && mb <= limit && mb < BUDGET.peakRssMb,
      });
    }
  }
  checks.push({
    name: '/metrics scrape ms',
    value: report.scrapeMs,
    limit: `< ${BUDGET.scrapeMs}`,
    met: report.scrapeMs < BUDGET.scrapeMs,
  });
  checks.push({
    name: 'all five ready s',
    value: report.readySeconds,
    limit: `<= ${BUDGET.readySeconds}`,
    met: report.readySeconds <= BUDGET.readySeconds,
  });
  const failures = checks
    .filter((c) => !c.met)
    .map(
      (c) =>
        `${c.name} ${c.value === undefined ? 'not measured' : format(c.value)} (budget ${c.limit})`,
    );
  // A subset of the budget's configurations cannot meet it; the verdict says which are missing.
  const missing = BUDGET_CONFIGURATIONS.filter((c) => !report.peakRssMbByConfiguration[c]);
  return { met: failures.length === 0, failures, checks, missing };
}

const range = (s: Spread, digits = 1) =>
  `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
const maybe = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(2));
const short = (service: string) => service.replace('-service', '');

/** The per-instrumentation table: what switching each one on added, per request and service. */
function instrumentationCosts(report: BenchReport): string[] {
  const steps = Object.entries(INSTRUMENTATION_STEPS).filter(
    ([name, step]) =>
      report.peakRssMbByConfiguration[name] && report.peakRssMbByConfiguration[step.over],
  ) as [ConfigurationName, { instrumentation: string; over: ConfigurationName }][];
  if (steps.length === 0) return [];
  const services = Object.keys(report.peakRssMbByService);
  const lines = [
    '',
    '## What each instrumentation costs',
    '',
    'CPU µs per request by service and peak RSS MB by service, each configuration minus the one it adds to ' +
      '(medians across rounds; differences of a few µs are noise).',
    '',
    `| instrumentation | over | path | ${services.map((s) => `${short(s)} µs`).join(' | ')} | 5 services µs | req/s vs over | ${services.map((s) => `${short(s)} MB`).join(' | ')} |`,
    `| --- | --- | --- | ${services.map(() => '---').join(' | ')} | --- | --- | ${services.map(() => '---').join(' | ')} |`,
  ];
  for (const [name, step] of steps) {
    const rss = services.map((s) => {
      const delta =
        report.peakRssMbByConfiguration[name][s] - report.peakRssMbByConfiguration[step.over][s];
      return `${delta >= 0 ? '+' : ''}${delta.toFixed(0)}`;
    });
    for (const path of PATH_NAMES) {
      const mine = report[path]?.configurations[name];
      const base = report[path]?.configurations[step.over];
      if (!mine || !base) continue;
      const delta = (s: string) =>
        (mine.cpuMsPerRequestByService[s] - base.cpuMsPerRequestByService[s]) * 1000;
      const signed = (us: number) => `${us >= 0 ? '+' : ''}${us.toFixed(0)}`;
      lines.push(
        `| ${step.instrumentation} | ${step.over} | ${path} | ${services.map((s) => signed(delta(s))).join(' | ')} | ` +
          `${signed((mine.cpuMsPerRequest.median - base.cpuMsPerRequest.median) * 1000)} | ` +
          `${maybe(ratio(mine.rps.median, base.rps.median))} | ${rss.join(' | ')} |`,
      );
    }
  }
  return lines;
}

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
    'Figures are medians across rounds, with (min–max) across rounds. Ratios: of the medians, ' +
      'and in brackets the median of the ratios paired round by round.',
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
      const vs = figures.vsBaseline[name];
      lines.push(
        `| ${name} | ${range(c.rps, 0)} | ${range(c.p50Ms)} | ${range(c.p99Ms)} | ${range(c.cpuMsPerRequest, 2)} | ` +
          `${maybe(vs?.throughput.ofMedians)} (${maybe(vs?.throughput.paired)}) | ` +
          `${maybe(vs?.p99.ofMedians)} (${maybe(vs?.p99.paired)}) | ${c.runnerCpuMsPerRequest.toFixed(3)} |`,
      );
    }
    const outages = Object.entries(figures.vsDefault);
    if (outages.length > 0)
      lines.push(
        '',
        'Collector outages over `default`: ' +
          outages
            .map(
              ([name, vs]) =>
                `${name} req/s ${maybe(vs.throughput.ofMedians)} (${maybe(vs.throughput.paired)}), ` +
                `p99 ${maybe(vs.p99.ofMedians)} (${maybe(vs.p99.paired)})`,
            )
            .join(' · '),
      );
    const others = CONFIGURATION_NAMES.filter((c) => c !== 'baseline' && figures.configurations[c]);
    lines.push(
      '',
      'Round by round, req/s over the same round’s baseline (and p99 of `default`):',
      '',
      `| round | ${others.join(' | ')} | p99 default |`,
      `| --- | ${others.map(() => '---').join(' | ')} | --- |`,
      ...figures.roundRatios.map(
        (r) =>
          `| ${r.round} | ${others.map((c) => maybe(r.throughput[c])).join(' | ')} | ${maybe(r.p99.default)} |`,
      ),
    );
    const cpu = Object.entries(figures.configurations).map(
      ([name, c]) =>
        `${name} ` +
        Object.entries(c.cpuMsPerRequestByService)
          .map(([service, ms]) => `${short(service)} ${ms.toFixed(2)}`)
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
  const bySeconds = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([c, seconds]) => `${c} ${seconds.toFixed(1)} s`)
      .join(' · ');
  lines.push(
    '',
    `All five ready (this library's configurations): slowest ${report.readySeconds.toFixed(1)} s, median ${report.readySecondsMedian.toFixed(1)} s ` +
      `(first start on empty databases, migrations and seed included: ${report.firstStartReadySeconds.toFixed(1)} s). ` +
      `Slowest start by configuration: ${bySeconds(report.readySecondsByConfiguration)}.`,
    '',
    `Slowest stop (SIGTERM to all five gone) by configuration: ${bySeconds(report.stopSecondsByConfiguration)}.`,
    '',
    'What reached the OTLP endpoint: ' +
      Object.entries(report.otlpExport)
        .map(([c, o]) => {
          const mib = `${(o.bytes / 1024 / 1024).toFixed(1)} MiB`;
          if (c === 'collector-down') return `${c} every connection refused`;
          if (c === 'collector-hung')
            return `${c} ${o.requests} connections, ${mib}, never answered`;
          return `${c} ${o.requests} requests, ${mib}`;
        })
        .join(' · '),
    ...instrumentationCosts(report),
    '',
    '## Budget',
    '',
    'Judged on the ratios of the medians; the paired column is the same check on the medians of the ratios paired round by round.',
    '',
    '| check | value | budget | met | paired rounds |',
    '| --- | --- | --- | --- | --- |',
    ...report.budget.checks.map(
      (c) =>
        `| ${c.name} | ${c.value === undefined ? '–' : format(c.value)} | ${c.limit} | ${c.met ? 'yes' : '**no**'} | ${c.paired ?? '–'} |`,
    ),
    '',
    report.budget.missing.length > 0
      ? `bench: budget not judged: this run did not measure ${report.budget.missing.join(', ')}`
      : report.budget.met
        ? 'bench: budget met'
        : `bench: budget not met: ${report.budget.failures.join('; ')}`,
  );
  return lines.join('\n') + '\n';
}
