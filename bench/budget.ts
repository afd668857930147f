// The overhead budget and its verdict: each line of the budget as a check on the report's
// figures, met or not, with the same check on the ratios paired round by round beside it.
import { BUDGET_CONFIGURATIONS, OUTAGE_CONFIGURATIONS, PATH_NAMES } from './configurations.ts';
import type { PathName } from './configurations.ts';
import type { BenchReport, Ratio } from './report.ts';

/** The overhead budget, with the collector outages. */
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

export interface BudgetCheck {
  name: string;
  value: number | undefined;
  limit: string;
  met: boolean;
  /** The same check on the ratios paired round by round; the verdict does not use it. */
  paired?: string;
}

export interface BudgetVerdict {
  met: boolean;
  failures: string[];
  checks: BudgetCheck[];
  /** Budget configurations this run did not measure: then the budget is not judged. */
  missing: string[];
}

/** Enough digits that a value just short of its limit does not print as the limit. */
export function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(3);
}

export function checkBudget(report: Omit<BenchReport, 'budget'>): BudgetVerdict {
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
