// Service detail: one service (the $service variable) by route, by upstream, its runtime and
// its logs. Latency shows exemplars: click one to open its trace in Jaeger. The request panels
// link on to the slow and failed traces of the service (Traces dashboard).
import { DashboardLinkBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, logs, promql, serviceLink, serviceVariable, timeseries } from './panels.ts';

const s = 'namespace=~"$namespace", service="$service"';
const toTraces = [
  new DashboardLinkBuilder('Slow and failed traces of $service').url(
    '/d/traces?var-service=$service&${namespace:queryparam}&${datasource:queryparam}&${__url_time_range}',
  ),
];

export default dashboard(
  'service-detail',
  'Service detail',
  'One service by route and upstream, with its runtime, exemplars that open traces, and its logs.',
)
  .withVariable(serviceVariable(false))
  .withRow(new RowBuilder('Requests'))
  .withPanel(
    timeseries(
      'Request rate by route',
      'Requests per second by route template and status code.',
      'reqps',
      [
        promql(
          `sum by (method, route, status_code) (rate(http_requests_total{${s}}[$__rate_interval]))`,
          '{{method}} {{route}} {{status_code}}',
        ),
      ],
    ).dataLinks(toTraces),
  )
  .withPanel(
    timeseries(
      '5xx ratio by route',
      "Share of each route's requests answered with a 5xx.",
      'percentunit',
      [
        promql(
          `sum by (route) (rate(http_requests_total{${s}, status_code=~"5.."}[$__rate_interval])) / sum by (route) (rate(http_requests_total{${s}}[$__rate_interval]))`,
          '{{route}}',
        ),
      ],
    ).dataLinks(toTraces),
  )
  .withPanel(
    timeseries(
      'Latency by route (with exemplars)',
      'p50, p95 and p99 request duration by route. The dots are exemplars: each links to the trace of one real request in Jaeger.',
      's',
      [
        promql(
          `histogram_quantile(0.95, sum by (route, le) (rate(http_request_duration_seconds_bucket{${s}}[$__rate_interval])))`,
          'p95 {{route}}',
        ).exemplar(true),
        promql(
          `histogram_quantile(0.5, sum by (route, le) (rate(http_request_duration_seconds_bucket{${s}}[$__rate_interval])))`,
          'p50 {{route}}',
        ),
        promql(
          `histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{${s}}[$__rate_interval])))`,
          'p99 {{route}}',
        ),
      ],
    ).dataLinks(toTraces),
  )
  .withPanel(
    timeseries('Requests in flight', 'Requests this service is working on right now.', 'none', [
      promql(`sum(http_requests_in_flight{${s}})`, 'in flight'),
    ]),
  )
  .withRow(new RowBuilder('Upstreams'))
  .withPanel(
    timeseries(
      'Upstream calls by status',
      'Calls this service makes to other services, by upstream and status ("error" = connection failed, "timeout" = no answer in time). Click a series to open the upstream.',
      'reqps',
      [
        promql(
          `sum by (upstream, status_code) (rate(upstream_requests_total{${s}}[$__rate_interval]))`,
          '{{upstream}} {{status_code}}',
        ),
      ],
    ).dataLinks([
      serviceLink('Service detail: ${__field.labels.upstream}', 'service-detail', 'upstream'),
    ]),
  )
  .withPanel(
    timeseries(
      'Upstream p95 latency',
      "95th percentile duration of calls to each upstream, as this service sees them (this histogram records no exemplars; the upstream's own latency panel has them).",
      's',
      [
        promql(
          `histogram_quantile(0.95, sum by (upstream, le) (rate(upstream_request_duration_seconds_bucket{${s}}[$__rate_interval])))`,
          '{{upstream}}',
        ),
      ],
    ),
  )
  .withRow(new RowBuilder('Runtime'))
  .withPanel(
    timeseries(
      'Event loop lag p99',
      'How long callbacks waited for the event loop (p99 per scrape); EventLoopLagHigh fires above 200 ms.',
      's',
      [promql(`nodejs_eventloop_lag_p99_seconds{${s}}`, '{{instance}}')],
    ),
  )
  .withPanel(
    timeseries(
      'Memory',
      'Resident set size and V8 heap in use; HighMemoryUsage warns above 512 MiB resident (in Kubernetes: 80% of the container limit).',
      'bytes',
      [
        promql(`process_resident_memory_bytes{${s}}`, 'resident {{instance}}'),
        promql(`nodejs_heap_size_used_bytes{${s}}`, 'heap used {{instance}}'),
      ],
    ),
  )
  .withRow(new RowBuilder('Logs'))
  .withPanel(
    logs(
      'Logs',
      'The service\'s log lines from Loki in $namespace, newest first: the line is the message, the fields (severity_text, route, status_code, trace_id, ...) are structured metadata. Open a line and follow its trace link to Jaeger. Errors only: add | severity_text="error".',
      '{service_name="$service", k8s_namespace_name=~"$namespace"}',
    ),
  );
