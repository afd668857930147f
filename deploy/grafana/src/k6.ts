// k6 load tests: the series k6 writes through Prometheus remote write (experimental-prometheus-rw
// output with K6_PROMETHEUS_RW_TREND_STATS=p(95),p(99),avg,max), filtered by the testid tag, next
// to what the gateway itself measured over the same window (server-side RED).
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, labelVariable, promql, stat, timeseries } from './panels.ts';

const t = 'testid=~"$testid"';
const gateway = 'namespace=~"$namespace", service="api-gateway"';

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
  )
  .withRow(new RowBuilder('Client (k6) next to server (api-gateway)'))
  .withPanel(
    timeseries(
      'p95 latency: k6 client vs gateway server',
      'The same requests seen from both ends: k6 p95 http_req_duration (includes the network and connection set-up) and the p95 of the gateway’s own http_request_duration_seconds. A gap that grows is time spent outside the service.',
      's',
      [
        promql(`max(k6_http_req_duration_p95{${t}})`, 'k6 client p95'),
        promql(
          `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${gateway}}[$__rate_interval])))`,
          'gateway server p95',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Request rate: k6 client vs gateway server',
      'Requests per second k6 sent and requests per second the gateway answered; they match unless requests are lost on the way or other traffic reaches the gateway.',
      'reqps',
      [
        promql(`sum(rate(k6_http_reqs_total{${t}}[$__rate_interval]))`, 'k6 client'),
        promql(`sum(rate(http_requests_total{${gateway}}[$__rate_interval]))`, 'gateway server'),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Error ratio: k6 client vs gateway server',
      'Share of requests k6 counted as failed (any status its checks reject, and connection errors) next to the gateway’s 5xx ratio.',
      'percentunit',
      [
        promql(`avg(k6_http_req_failed_rate{${t}})`, 'k6 client failed'),
        promql(
          `sum(rate(http_requests_total{${gateway}, status_code=~"5.."}[$__rate_interval])) / sum(rate(http_requests_total{${gateway}}[$__rate_interval]))`,
          'gateway server 5xx',
        ),
      ],
    ),
  );
