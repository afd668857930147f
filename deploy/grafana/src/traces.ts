// Traces: the slow and the failed traces of one service (Jaeger search), and the service map.
// The map is drawn from the services' own call metrics (upstream_requests_total: caller `service`
// → `upstream`), because the stack's Collector has no servicegraph connector (deploy/otel-collector/
// manifest.yaml: no release serves it), so there are no traces_service_graph_* series.
// Service detail links here with `service` set; a trace id opens the trace in Jaeger.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { CustomVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as NodeGraphPanel } from '@grafana/grafana-foundation-sdk/nodegraph';
import { PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import {
  SERVICES,
  dashboard,
  jaeger,
  prometheus,
  promql,
  serviceVariable,
  timeseries,
} from './panels.ts';

/** A Jaeger datasource trace search (the SDK has no Jaeger query builder). */
function jaegerSearch(refId: string, search: Record<string, string | number>) {
  const query = { refId, datasource: jaeger, queryType: 'search', limit: 20, ...search };
  return {
    build: () => query as unknown as cog.Dataquery,
  } satisfies cog.Builder<cog.Dataquery>;
}

function traceTable(title: string, description: string, search: Record<string, string>) {
  return new TablePanel()
    .title(title)
    .description(description)
    .datasource(jaeger)
    .withTarget(jaegerSearch('A', { service: '$service', ...search }))
    .height(10)
    .span(12);
}

const product = `namespace=~"$namespace", service=~"${SERVICES}"`;
// Span metrics carry the spans' resource attributes the Collector keeps as dimensions
// (deploy/otel-collector/config.yaml): service_name, and k8s_namespace_name in Kubernetes.
const spans = 'service_name="$service", k8s_namespace_name=~"$namespace"';

export default dashboard(
  'traces',
  'Traces',
  'Slow and failed traces of one service, and the map of who calls whom with the rate, failures and latency of each call.',
)
  .withVariable(serviceVariable(false))
  // The seeds' requests take a few milliseconds: 25 ms finds the slow tail of a healthy service,
  // the higher options the requests that break the 500 ms / 1 s objectives.
  .withVariable(
    new CustomVariableBuilder('slow')
      .label('slower than')
      .values('25ms,100ms,250ms,500ms,1s,2s')
      .current({ text: '25ms', value: '25ms' }),
  )
  .withVariable(
    new CustomVariableBuilder('status')
      .label('HTTP status')
      .values('500,502,503,504')
      .current({ text: '500', value: '500' }),
  )
  .withPanel(
    traceTable(
      'Slow traces',
      'The latest traces through $service that took longer than $slow (Jaeger search). Click a trace id to open it.',
      { minDuration: '$slow' },
    ),
  )
  .withPanel(
    traceTable(
      'Traces with errors',
      'The latest traces in which $service answered HTTP $status (500: its own error; 502/503/504: a dependency failed). A search on http.response.status_code: the Jaeger of the stack does not match its derived error=true tag. Click a trace id to open it.',
      { tags: 'http.response.status_code=$status' },
    ),
  )
  .withPanel(
    new NodeGraphPanel()
      .title('Service map')
      .description(
        'Who calls whom: nodes are the services (requests per second they served), edges the calls a service makes to an upstream (calls per second), from the callers’ upstream_requests_total.',
      )
      .datasource(prometheus)
      .targets([
        promql(
          `label_replace(sum by (service) (rate(http_requests_total{${product}}[$__range])), "id", "$1", "service", "(.*)")`,
          '',
        )
          .refId('nodes')
          .instant()
          .format(PromQueryFormat.Table),
        promql(
          `label_join(sum by (service, upstream) (rate(upstream_requests_total{${product}}[$__range])), "id", "->", "service", "upstream")`,
          '',
        )
          .refId('edges')
          .instant()
          .format(PromQueryFormat.Table),
      ])
      // The node graph reads frames with id, title, source, target and mainstat fields.
      .transformations([
        {
          id: 'organize',
          filter: { id: 'byRefId', options: 'nodes' },
          options: {
            excludeByName: { Time: true },
            renameByName: { service: 'title', Value: 'mainstat' },
          },
        },
        {
          id: 'organize',
          filter: { id: 'byRefId', options: 'edges' },
          options: {
            excludeByName: { Time: true },
            renameByName: { service: 'source', upstream: 'target', Value: 'mainstat' },
          },
        },
      ])
      .height(12)
      .span(24),
  )
  .withPanel(
    timeseries(
      'Calls between services',
      'Calls per second on each edge of the service map (caller → upstream), by the caller’s count.',
      'reqps',
      [
        promql(
          `sum by (service, upstream) (rate(upstream_requests_total{${product}}[$__rate_interval]))`,
          '{{service}} → {{upstream}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Failed calls between services',
      'Calls per second on each edge that failed to connect, timed out or got a 5xx answer.',
      'reqps',
      [
        promql(
          `sum by (service, upstream) (rate(upstream_requests_total{${product}, status_code=~"error|timeout|5.."}[$__rate_interval]))`,
          '{{service}} → {{upstream}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Call latency between services (p95)',
      '95th percentile duration of the calls on each edge, as the caller measures them.',
      's',
      [
        promql(
          `histogram_quantile(0.95, sum by (service, upstream, le) (rate(upstream_request_duration_seconds_bucket{${product}}[$__rate_interval])))`,
          '{{service}} → {{upstream}}',
        ),
      ],
    ).span(24),
  )
  .withPanel(
    timeseries(
      'Span rate by operation (span metrics)',
      "Spans per second of $service by span name and kind, from the Collector's span metrics (computed from every span, before sampling): the traffic the traces above are a sample of. Filtered by $namespace through the spans' k8s.namespace.name.",
      'reqps',
      [
        promql(
          `sum by (span_name, span_kind) (rate(traces_span_metrics_calls_total{${spans}}[$__rate_interval]))`,
          '{{span_kind}} {{span_name}}',
        ),
      ],
    ).span(24),
  );
