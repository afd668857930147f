// smoke: does every journey work at all? 2 VUs for 20 s, each iteration running every journey
// once (browse, place and cancel an order, list and run each agent). Fails on any SLO breach.
// Run before anything heavier, and in CI against freshly started services.
//
// Env: VUS (2), DURATION (20s), BASE_URL, THINK_TIME (0.5 s).
import type { Options } from 'k6/options';
import { envNumber, envString, runTags } from '../lib/config.ts';
import { browseCatalogue, placeAndCancelOrder, runEachAgent } from '../lib/journeys.ts';
import { SUMMARY_TREND_STATS, sloThresholds } from '../lib/thresholds.ts';

export const options: Options = {
  scenarios: {
    smoke: {
      executor: 'constant-vus',
      vus: envNumber('VUS', 2),
      duration: envString('DURATION', '20s'),
      gracefulStop: '5s',
    },
  },
  thresholds: sloThresholds({ abortOnFail: false }),
  summaryTrendStats: SUMMARY_TREND_STATS,
  tags: runTags('smoke'),
};

export default function (): void {
  browseCatalogue();
  placeAndCancelOrder();
  runEachAgent();
}
