// soak: a long run at moderate load to surface leaks, growing queues and slow drifts (memory,
// event-loop lag, connection pools). RATE journeys/s of the realistic mix for DURATION (1h).
// Aborts on a sustained SLO breach (after 5 minutes): a soak that broke early proves nothing more.
//
// Env: RATE (5 iterations/s), DURATION (1h), VUS (20), MAX_VUS (100), MIX, BASE_URL.
import type { Options } from 'k6/options';
import { envNumber, envString, runTags } from '../lib/config.ts';
import { realisticMix } from '../lib/journeys.ts';
import { SUMMARY_TREND_STATS, sloThresholds } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: envNumber('RATE', 5),
      timeUnit: '1s',
      duration: envString('DURATION', '1h'),
      preAllocatedVUs: envNumber('VUS', 20),
      maxVUs: envNumber('MAX_VUS', 100),
    },
  },
  thresholds: sloThresholds({ abortOnFail: true, delayAbortEval: '5m' }),
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: runTags('soak'),
};

export default realisticMix;
