// Service detail: one service (the $service variable) by route, by upstream, its database
// client, its runtime and its logs. Latency shows exemplars: click one to open its trace in Jaeger. The request panels
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
  .withRow(new RowBuilder('Database'))
  .withPanel(
    timeseries(
      'Database operations',
      'Statements this service runs per second, by SQL command; a failed one also by its error type (the SQLSTATE such as 23505, or ECONNREFUSED when the server is unreachable).',
      'ops',
      [
        promql(
          `sum by (db_operation_name, error_type) (rate(db_client_operation_duration_seconds_count{${s}}[$__rate_interval]))`,
          '{{db_operation_name}} {{error_type}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Failed database operations',
      'Share of database operations that failed. Near 1 while the database is down; a steady trickle of 23505 or 40001 is the application handling conflicts.',
      'percentunit',
      [
        promql(
          `sum(rate(db_client_operation_duration_seconds_count{${s}, error_type!=""}[$__rate_interval])) / sum(rate(db_client_operation_duration_seconds_count{${s}}[$__rate_interval]))`,
          'failed',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Database operation latency',
      'p50, p95 and p99 duration of database operations by SQL command, from the call to its result (a wait for a connection included). One query over 0.1 s uses a fifth of the request latency objective.',
      's',
      [0.5, 0.95, 0.99].map((q) =>
        promql(
          `histogram_quantile(${q}, sum by (db_operation_name, le) (rate(db_client_operation_duration_seconds_bucket{${s}}[$__rate_interval])))`,
          `p${q * 100} {{db_operation_name}}`,
        ),
      ),
    ),
  )
  .withPanel(
    timeseries(
      'Connection pool',
      'Connections to PostgreSQL in use and idle, the pool maximum, and requests waiting for a connection (DATABASE_URL only: the embedded database has no pool). Used at the maximum with requests pending: the pool is the bottleneck.',
      'none',
      [
        promql(
          `sum by (db_client_connection_state) (db_client_connection_count{${s}})`,
          '{{db_client_connection_state}}',
        ),
        promql(`sum(db_client_connection_max{${s}})`, 'max'),
        promql(`sum(db_client_connection_pending_requests{${s}})`, 'pending'),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Connection wait p95',
      '95th percentile time to get a connection from the pool, opening one included (DATABASE_URL only).',
      's',
      [
        promql(
          `histogram_quantile(0.95, sum by (le) (rate(db_client_connection_wait_time_seconds_bucket{${s}}[$__rate_interval])))`,
          'p95 wait',
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
