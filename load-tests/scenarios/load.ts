// load: the expected busy-hour traffic. A constant arrival rate of RATE journeys per second of
// the realistic mix (60% browse, 20% place and cancel an order, 15% run an agent, 5% sign up)
// for DURATION. Aborts when the SLO thresholds are crossed for good: past that the numbers
// describe an outage, not the expected load.
//
// Env: RATE (10 iterations/s), DURATION (5m), VUS (preallocated, 20), MAX_VUS (100), MIX, BASE_URL.
import type { Options } from 'k6/options';
import { envNumber, envString, runTags } from '../lib/config.ts';
import { realisticMix } from '../lib/journeys.ts';
import { SUMMARY_TREND_STATS, sloThresholds } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: {
    load: {
      executor: 'constant-arrival-rate',
      rate: envNumber('RATE', 10),
      timeUnit: '1s',
      duration: envString('DURATION', '5m'),
      preAllocatedVUs: envNumber('VUS', 20),
      maxVUs: envNumber('MAX_VUS', 100),
    },
  },
  thresholds: sloThresholds({ abortOnFail: true, delayAbortEval: '1m' }),
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: runTags('load'),
};

export default realisticMix;
