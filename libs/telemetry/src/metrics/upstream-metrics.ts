import { makeCounterProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import {
  LATENCY_BUCKETS_SECONDS,
  UPSTREAM_REQUEST_DURATION_SECONDS,
  UPSTREAM_REQUESTS_TOTAL,
} from './metric-names';

/** `status_code` is the HTTP status, or `error` (no response) or `timeout`. */
export type UpstreamLabel = 'upstream' | 'status_code';

export const upstreamMetricProviders = [
  makeCounterProvider({
    name: UPSTREAM_REQUESTS_TOTAL,
    help: 'Calls to another service, by upstream and outcome (HTTP status, error or timeout).',
    labelNames: ['upstream', 'status_code'],
  }),
  makeHistogramProvider({
    name: UPSTREAM_REQUEST_DURATION_SECONDS,
    help: 'Duration of calls to another service in seconds, by upstream and outcome.',
    labelNames: ['upstream', 'status_code'],
    buckets: LATENCY_BUCKETS_SECONDS,
  }),
];
