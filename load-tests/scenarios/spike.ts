// spike: a sudden burst, then recovery. BASE_RATE journeys/s of the realistic mix for 1 minute,
// a jump to RATE within 10 s, held for HOLD (1m), a drop back within 10 s, then 2 minutes at
// BASE_RATE to watch recovery. 4 min 20 s with the defaults. No abort: the interesting part
// is after the burst, and thresholds report whether the SLO held overall.
//
// Env: BASE_RATE (5/s), RATE (peak, 60/s), HOLD (1m), VUS (50), MAX_VUS (400), MIX, BASE_URL.
import type { Options } from 'k6/options';
import { envNumber, envString, runTags } from '../lib/config.ts';
import { realisticMix } from '../lib/journeys.ts';
import { SUMMARY_TREND_STATS, sloThresholds } from '../lib/thresholds.ts';

const baseRate = envNumber('BASE_RATE', 5);
const peak = envNumber('RATE', 60);

export const options: Options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: baseRate,
      timeUnit: '1s',
      preAllocatedVUs: envNumber('VUS', 50),
      maxVUs: envNumber('MAX_VUS', 400),
      stages: [
        { target: baseRate, duration: '1m' },
        { target: peak, duration: '10s' },
        { target: peak, duration: envString('HOLD', '1m') },
        { target: baseRate, duration: '10s' },
        { target: baseRate, duration: '2m' },
      ],
    },
  },
  thresholds: sloThresholds({ abortOnFail: false }),
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: runTags('spike'),
};

export default realisticMix;
