import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import {
  HTTP_REQUEST_DURATION_SECONDS,
  HTTP_REQUESTS_IN_FLIGHT,
  HTTP_REQUESTS_TOTAL,
  LATENCY_BUCKETS_SECONDS,
} from './metric-names';

export type HttpLabel = 'method' | 'route' | 'status_code';
const HTTP_LABELS: HttpLabel[] = ['method', 'route', 'status_code'];

export const httpMetricProviders = [
  makeCounterProvider({
    name: HTTP_REQUESTS_TOTAL,
    help: 'HTTP requests served, by method, route template and status code.',
    labelNames: HTTP_LABELS,
  }),
  makeHistogramProvider({
    name: HTTP_REQUEST_DURATION_SECONDS,
    help: 'HTTP request duration in seconds, by method, route template and status code.',
    labelNames: HTTP_LABELS,
    buckets: LATENCY_BUCKETS_SECONDS,
    enableExemplars: true,
  }),
  makeGaugeProvider({
    name: HTTP_REQUESTS_IN_FLIGHT,
    help: 'HTTP requests being served right now.',
  }),
];
