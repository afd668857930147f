// Services overview: RED (rate, errors, duration) for every service side by side.
import { dashboard, promql, redFrom, stat, timeseries } from './panels.ts';

export default dashboard(
  'services-overview',
  'Services overview',
  'Rate, errors and duration of every service; start here, then open Service detail.',
)
  .withPanel(
    stat(
      'Services up',
      'How many of the five service targets Prometheus scraped successfully on its last attempt.',
      'none',
      promql('sum(up{service!=""})', 'up'),
    ),
  )
  .withPanel(
    stat(
      'Requests per second',
      'All requests served by all services, excluding /metrics and /health.',
      'reqps',
      promql('sum(rate(http_requests_total[$__rate_interval]))', 'req/s'),
    ),
  )
  .withPanel(
    stat(
      '5xx ratio',
      'Share of all requests answered with a 5xx over the time range; the availability SLO allows 0.1%.',
      'percentunit',
      promql(
        'sum(rate(http_requests_total{status_code=~"5.."}[$__range])) / sum(rate(http_requests_total[$__range]))',
        '5xx',
      ),
    ).thresholds(redFrom(0.001)),
  )
  .withPanel(
    stat(
      'Firing alerts',
      'Alerts firing right now, across all severities (Watchdog excluded).',
      'none',
      promql('count(ALERTS{alertstate="firing", alertname!="Watchdog"}) or vector(0)', 'firing'),
    ).thresholds(redFrom(1)),
  )
  .withPanel(
    timeseries(
      'Request rate by service',
      'Requests per second each service answered, all routes and status codes.',
      'reqps',
      [promql('sum by (service) (rate(http_requests_total[$__rate_interval]))', '{{service}}')],
    ),
  )
  .withPanel(
    timeseries(
      '5xx ratio by service',
      "Share of each service's requests answered with a 5xx; HighErrorRate pages above 5% over 2 minutes.",
      'percentunit',
      [
        promql(
          'sum by (service) (rate(http_requests_total{status_code=~"5.."}[$__rate_interval])) / sum by (service) (rate(http_requests_total[$__rate_interval]))',
          '{{service}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'p95 latency by service',
      '95th percentile request duration per service; the latency SLO wants it under 500 ms.',
      's',
      [
        promql(
          'histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket[$__rate_interval])))',
          '{{service}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Requests in flight',
      'Requests each service is working on right now; a climb with flat traffic means something is stuck.',
      'none',
      [promql('sum by (service) (http_requests_in_flight)', '{{service}}')],
    ),
  );
