// Services overview: RED (rate, errors, duration) for every service side by side. Click a
// series to open that service in Service detail (the data links carry `service`).
import { MappingType } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  dashboard,
  promql,
  redBelow,
  redFrom,
  serviceLink,
  serviceVariable,
  stat,
  table,
  timeseries,
} from './panels.ts';

const s = 'namespace=~"$namespace", service=~"$service"';
const toDetail = [serviceLink('Service detail: ${__field.labels.service}', 'service-detail')];

export default dashboard(
  'services-overview',
  'Services overview',
  'Rate, errors and duration of every service; start here, then click a service to open Service detail.',
)
  .withVariable(serviceVariable(true))
  .withPanel(
    stat(
      'Services up',
      'How many of the selected services have at least one instance Prometheus scraped successfully on its last attempt.',
      'none',
      promql(`count(max by (namespace, service) (up{${s}}) == 1) or vector(0)`, 'up'),
    ),
  )
  .withPanel(
    stat(
      'Service status',
      'Each selected service: UP when at least one of its instances answered its last scrape, DOWN when none did (ServiceDown pages after a minute of DOWN).',
      'none',
      promql(`max by (service) (up{${s}})`, '{{service}}'),
    )
      .mappings([
        {
          type: MappingType.ValueToText,
          options: { '0': { text: 'DOWN', color: 'red' }, '1': { text: 'UP', color: 'green' } },
        },
      ])
      .thresholds(redBelow(1))
      .span(24),
  )
  .withPanel(
    stat(
      'Requests per second',
      'All requests served by the selected services, excluding /metrics and /health.',
      'reqps',
      promql(`sum(rate(http_requests_total{${s}}[$__rate_interval]))`, 'req/s'),
    ),
  )
  .withPanel(
    stat(
      '5xx ratio',
      'Share of all requests answered with a 5xx over the time range; the availability SLO allows 0.1%.',
      'percentunit',
      promql(
        `sum(rate(http_requests_total{${s}, status_code=~"5.."}[$__range])) / sum(rate(http_requests_total{${s}}[$__range]))`,
        '5xx',
      ),
    ).thresholds(redFrom(0.001)),
  )
  .withPanel(
    stat(
      'Firing alerts',
      'Alerts of the selected services firing right now, across all severities.',
      'none',
      promql(`count(ALERTS{alertstate="firing", ${s}}) or vector(0)`, 'firing'),
    ).thresholds(redFrom(1)),
  )
  .withPanel(
    timeseries(
      'Request rate by service',
      'Requests per second each service answered, all routes and status codes. Click a series for Service detail.',
      'reqps',
      [
        promql(
          `sum by (service) (rate(http_requests_total{${s}}[$__rate_interval]))`,
          '{{service}}',
        ),
      ],
    ).dataLinks(toDetail),
  )
  .withPanel(
    timeseries(
      '5xx ratio by service',
      "Share of each service's requests answered with a 5xx; the availability SLO pages at 14.4x its 0.1% budget (ErrorBudgetBurn), HighErrorRate warns above 5% of its own 5xx. Click a series for Service detail.",
      'percentunit',
      [
        promql(
          `sum by (service) (rate(http_requests_total{${s}, status_code=~"5.."}[$__rate_interval])) / sum by (service) (rate(http_requests_total{${s}}[$__rate_interval]))`,
          '{{service}}',
        ),
      ],
    ).dataLinks(toDetail),
  )
  .withPanel(
    timeseries(
      'p95 latency by service',
      '95th percentile request duration per service; HighLatencyP95 warns above 500 ms, the latency SLO wants 99% within 1 s. Click a series for Service detail.',
      's',
      [
        promql(
          `histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{${s}}[$__rate_interval])))`,
          '{{service}}',
        ),
      ],
    ).dataLinks(toDetail),
  )
  .withPanel(
    timeseries(
      'Latency p50, p95 and p99',
      'Request duration percentiles of all selected services together: p50 is the typical request, p95 what HighLatencyP95 watches (500 ms), p99 the tail the latency SLO is about (99% within 1 s).',
      's',
      [0.5, 0.95, 0.99].map((q) =>
        promql(
          `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{${s}}[$__rate_interval])))`,
          `p${q * 100}`,
        ),
      ),
    ),
  )
  .withPanel(
    timeseries(
      'Responses by status code',
      'Requests per second of the selected services by HTTP status code: the distribution of answers (2xx success, 4xx client mistakes, 5xx failures).',
      'reqps',
      [
        promql(
          `sum by (status_code) (rate(http_requests_total{${s}}[$__rate_interval]))`,
          '{{status_code}}',
        ),
      ],
    ),
  )
  .withPanel(
    table(
      'Top 10 slowest routes (p95)',
      'The ten routes with the highest 95th percentile duration over the time range, with their service: where to look first when latency rises.',
      promql(
        `topk(10, histogram_quantile(0.95, sum by (service, method, route, le) (rate(http_request_duration_seconds_bucket{${s}}[$__range]))))`,
        '{{service}} {{method}} {{route}}',
      ),
    ).span(12),
  )
  .withPanel(
    table(
      'Top 10 busiest routes',
      'The ten routes with the most requests per second over the time range, with their service.',
      promql(
        `topk(10, sum by (service, method, route) (rate(http_requests_total{${s}}[$__range])))`,
        '{{service}} {{method}} {{route}}',
      ),
    ).span(12),
  )
  .withPanel(
    timeseries(
      'Requests in flight',
      'Requests each service is working on right now; a climb with flat traffic means something is stuck.',
      'none',
      [promql(`sum by (service) (http_requests_in_flight{${s}})`, '{{service}}')],
    ).dataLinks(toDetail),
  );
