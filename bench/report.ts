// Turns the benchmark's measurements into the report: medians across rounds with their spread,
// the ratios to the baseline, and the budget verdict (budget.ts).
import type { ServiceName } from '../libs/api-contracts/src/topology.ts';
import { checkBudget } from './budget.ts';
import type { BudgetVerdict } from './budget.ts';
import {
  configuration,
  CONFIGURATION_NAMES,
  OUTAGE_CONFIGURATIONS,
  PATH_LABELS,
} from './configurations.ts';
import type { ConfigurationName, PathName } from './configurations.ts';
import { maxByKey, median, medianOrUndefined, ratio, spread } from './statistics.ts';
import type { Spread } from './statistics.ts';

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
  budget: BudgetVerdict;
  durationSeconds: number;
}

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
  const ours = runs.filter((r) => !configuration(r.configuration).thirdParty);
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
  const report: Omit<BenchReport, 'budget'> = {
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
    durationSeconds: input.durationSeconds,
  };
  return { ...report, budget: checkBudget(report) };
}
