// k6 load tests: the series k6 writes through Prometheus remote write (experimental-prometheus-rw
// output with K6_PROMETHEUS_RW_TREND_STATS=p(95),p(99),avg,max), filtered by the testid tag.
import { dashboard, labelVariable, promql, stat, timeseries } from './panels.ts';

const t = 'testid=~"$testid"';

export default dashboard(
  'k6-load-tests',
  'k6 load tests',
  'Requests, failures, latency percentiles and virtual users of k6 runs, by test id.',
)
  .withVariable(labelVariable('testid', 'k6_http_reqs_total', 'testid', true))
  .withPanel(
    stat(
      'Requests',
      'HTTP requests k6 sent over the time range.',
      'none',
      promql(`sum(increase(k6_http_reqs_total{${t}}[$__range]))`, 'requests'),
    ),
  )
  .withPanel(
    stat(
      'Failed requests',
      'Share of k6 requests that failed (k6 http_req_failed).',
      'percentunit',
      promql(`avg(k6_http_req_failed_rate{${t}})`, 'failed'),
    ),
  )
  .withPanel(
    stat(
      'p95 latency',
      'k6 p95 http_req_duration, as reported by k6.',
      's',
      promql(`max(k6_http_req_duration_p95{${t}})`, 'p95'),
    ),
  )
  .withPanel(
    stat(
      'Checks passed',
      'Share of k6 checks that passed.',
      'percentunit',
      promql(`avg(k6_checks_rate{${t}})`, 'checks'),
    ),
  )
  .withPanel(
    timeseries('Request rate', 'Requests per second k6 sent, by test id and status.', 'reqps', [
      promql(
        `sum by (testid, status) (rate(k6_http_reqs_total{${t}}[$__rate_interval]))`,
        '{{testid}} {{status}}',
      ),
    ]),
  )
  .withPanel(
    timeseries(
      'Latency percentiles',
      'k6 http_req_duration p95 and p99 as k6 computed them (client side, includes the network).',
      's',
      [
        promql(`max by (testid) (k6_http_req_duration_p95{${t}})`, 'p95 {{testid}}'),
        promql(`max by (testid) (k6_http_req_duration_p99{${t}})`, 'p99 {{testid}}'),
      ],
    ),
  )
  .withPanel(
    timeseries('Virtual users', 'Active k6 virtual users.', 'none', [
      promql(`sum by (testid) (k6_vus{${t}})`, '{{testid}}'),
    ]),
  )
  .withPanel(
    timeseries('Failed request ratio', 'Share of failed k6 requests over time.', 'percentunit', [
      promql(`avg by (testid) (k6_http_req_failed_rate{${t}})`, '{{testid}}'),
    ]),
  );
