// Pass/fail criteria of a load run, as the client sees it: p95 within the HighLatencyP95
// threshold of deploy/prometheus/rules/services.yml (drills/thresholds.test.ts keeps the two
// equal), fewer than 1% of requests failed. They are not the SLOs of rules/slo.yml (30-day
// objectives a run of minutes cannot measure); the alert rules judge those.
import type { Threshold } from 'k6/options';

export interface SloThresholdOptions {
  /** Stop the run as soon as a threshold is crossed (after `delayAbortEval`). */
  abortOnFail: boolean;
  /** Grace period before an abort is considered, e.g. while a ramp warms up. */
  delayAbortEval?: string;
}

export const SLO = { p95Ms: 500, failedRate: 0.01, checksRate: 0.99 } as const;

export function sloThresholds({
  abortOnFail,
  delayAbortEval = '30s',
}: SloThresholdOptions): Record<string, Threshold[]> {
  const rule = (threshold: string): Threshold =>
    abortOnFail ? { threshold, abortOnFail: true, delayAbortEval } : threshold;
  return {
    http_req_failed: [rule(`rate<${SLO.failedRate}`)],
    http_req_duration: [rule(`p(95)<${SLO.p95Ms}`)],
    // Per-journey views, so a summary shows which journey broke the SLO; never abort on them.
    'http_req_duration{journey:browse}': [`p(95)<${SLO.p95Ms}`],
    'http_req_duration{journey:order}': [`p(95)<${SLO.p95Ms}`],
    'http_req_duration{journey:agent}': [`p(95)<${SLO.p95Ms}`],
    checks: [`rate>${SLO.checksRate}`],
  };
}

/** Trend statistics printed in the end-of-test summary and kept in the JSON export. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
