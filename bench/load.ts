// The k6 load of one benchmark measurement: BENCH_VUS virtual users, each sending
// requests back to back (constant-vus, no think time) on one path for DURATION.
// Run by bench/run.ts, which reads the compact summary this script writes to SUMMARY.
import { check } from 'k6';
import http from 'k6/http';

const BASE_URL = __ENV.BASE_URL;
const PATH = __ENV.BENCH_PATH as 'product' | 'order';
const VUS = Number(__ENV.VUS);

/**
 * Catalogue ids 1..60 without the limited editions: every seventh product
 * ((id - 1) % 7 == 6) has 5 units, the others 10,000, so one-unit orders never run short.
 */
const WELL_STOCKED = Array.from({ length: 60 }, (_, index) => index + 1).filter(
  (id) => (id - 1) % 7 !== 6,
);

const ORDER_HEADERS = {
  'Content-Type': 'application/json',
  Authorization: `Bearer ${__ENV.TOKEN}`,
};

export const options = {
  scenarios: {
    bench: { executor: 'constant-vus', vus: VUS, duration: __ENV.DURATION, gracefulStop: '5s' },
  },
  summaryTrendStats: ['avg', 'p(50)', 'p(90)', 'p(99)', 'max'],
  discardResponseBodies: true,
};

export default function (): void {
  // Each VU walks the ids from its own offset, so concurrent requests touch different rows.
  const id = WELL_STOCKED[(__ITER * VUS + __VU) % WELL_STOCKED.length];
  if (PATH === 'product') {
    const response = http.get(`${BASE_URL}/api/products/${id}`, {
      tags: { name: 'GET /api/products/:id' },
    });
    check(response, { 'status 200': (r) => r.status === 200 });
  } else {
    const response = http.post(
      `${BASE_URL}/api/orders`,
      JSON.stringify({ items: [{ productId: id, quantity: 1 }] }),
      {
        headers: ORDER_HEADERS,
        tags: { name: 'POST /api/orders' },
        responseCallback: http.expectedStatuses(201),
      },
    );
    check(response, { 'status 201': (r) => r.status === 201 });
  }
}

interface TrendValues {
  avg: number;
  'p(50)': number;
  'p(90)': number;
  'p(99)': number;
  max: number;
}

interface Summary {
  state: { testRunDurationMs: number };
  metrics: {
    http_reqs: { values: { count: number; rate: number } };
    http_req_failed: { values: { rate: number } };
    http_req_duration: { values: TrendValues };
  };
}

/** Only the figures bench/run.ts needs, in milliseconds and requests per second. */
export function handleSummary(data: Summary): Record<string, string> {
  const duration = data.metrics.http_req_duration.values;
  return {
    [__ENV.SUMMARY]: JSON.stringify({
      requests: data.metrics.http_reqs.values.count,
      rps: data.metrics.http_reqs.values.rate,
      failedRate: data.metrics.http_req_failed.values.rate,
      p50Ms: duration['p(50)'],
      p90Ms: duration['p(90)'],
      p99Ms: duration['p(99)'],
      maxMs: duration.max,
      testRunDurationMs: data.state.testRunDurationMs,
    }),
  };
}
