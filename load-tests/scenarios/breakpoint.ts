// breakpoint: find the capacity. The arrival rate of the realistic mix climbs linearly from 1 to
// MAX_RATE journeys/s over DURATION (10m) and the run stops at the first sustained SLO breach
// (p95 >= 500 ms or >= 1% failed, 10 s grace). The rate at the abort, in the summary and on the
// k6 dashboard, is the system's breaking point. Never point this at a shared environment.
//
// Env: MAX_RATE (300/s), DURATION (10m), VUS (50), MAX_VUS (1000), MIX, BASE_URL.
import type { Options } from 'k6/options';
import { envNumber, envString, runTags } from '../lib/config.ts';
import { realisticMix } from '../lib/journeys.ts';
import { SUMMARY_TREND_STATS, sloThresholds } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: {
    breakpoint: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: envNumber('VUS', 50),
      maxVUs: envNumber('MAX_VUS', 1000),
      stages: [{ target: envNumber('MAX_RATE', 300), duration: envString('DURATION', '10m') }],
    },
  },
  thresholds: sloThresholds({ abortOnFail: true, delayAbortEval: '10s' }),
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: runTags('breakpoint'),
};

export default realisticMix;
