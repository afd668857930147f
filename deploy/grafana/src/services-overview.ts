// Services overview: RED (rate, errors, duration) for every service side by side. Click a
// series to open that service in Service detail (the data links carry `service`).
import {
  dashboard,
  promql,
  redFrom,
  serviceLink,
  serviceVariable,
  stat,
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
      'Requests in flight',
      'Requests each service is working on right now; a climb with flat traffic means something is stuck.',
      'none',
      [promql(`sum by (service) (http_requests_in_flight{${s}})`, '{{service}}')],
    ).dataLinks(toDetail),
  );
