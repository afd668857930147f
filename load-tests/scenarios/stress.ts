// stress: how does the system behave above the expected load? A ramping arrival rate of the
// realistic mix in steps of STEP (2m) each: 50% of RATE, 100%, 150%, 200%, then back to 0.
// Total 9 minutes with the defaults. The SLO thresholds report the breach but do not abort
// (degradation is what we came to see); the run aborts only when more than 10% of requests
// fail, because past that it measures a broken system.
//
// Env: RATE (the expected peak, 20 iterations/s), STEP (2m), VUS (50), MAX_VUS (300), MIX, BASE_URL.
import type { Options } from 'k6/options';
import { envNumber, envString, runTags } from '../lib/config.ts';
import { realisticMix } from '../lib/journeys.ts';
import { SUMMARY_TREND_STATS, sloThresholds } from '../lib/thresholds.ts';

const rate = envNumber('RATE', 20);
const step = envString('STEP', '2m');

export const options: Options = {
  scenarios: {
    stress: {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      timeUnit: '1s',
      preAllocatedVUs: envNumber('VUS', 50),
      maxVUs: envNumber('MAX_VUS', 300),
      stages: [
        { target: Math.round(rate * 0.5), duration: step },
        { target: rate, duration: step },
        { target: Math.round(rate * 1.5), duration: step },
        { target: rate * 2, duration: step },
        { target: 0, duration: '1m' },
      ],
    },
  },
  thresholds: {
    ...sloThresholds({ abortOnFail: false }),
    'http_req_failed{scenario:stress}': [
      { threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '1m' },
    ],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: runTags('stress'),
};

export default realisticMix;
