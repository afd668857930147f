// Traces: the slow and the failed traces of one service (Jaeger search), and the service map the
// Collector's servicegraph connector derives from all traces (traces_service_graph_* in
// Prometheus). Service detail links here with `service` set; a trace id opens the trace in Jaeger.
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

// Edges of the service graph into this product's services ("user" is the client of the gateway).
const edges = `server=~"${SERVICES}"`;

export default dashboard(
  'traces',
  'Traces',
  'Slow and failed traces of one service, and the service map from the Collector’s service graph metrics.',
)
  .withVariable(serviceVariable(false))
  .withVariable(
    new CustomVariableBuilder('slow')
      .label('slower than')
      .values('100ms,250ms,500ms,1s,2s')
      .current({ text: '100ms', value: '100ms' }),
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
      'The latest traces through $service with a span in error (Jaeger tag error=true: a 5xx, a failed upstream call, a thrown exception). Click a trace id to open it.',
      { tags: 'error=true' },
    ),
  )
  .withPanel(
    new NodeGraphPanel()
      .title('Service map')
      .description(
        'Who calls whom, from the Collector’s servicegraph connector: nodes are services (requests per second they served), edges the calls between them. "user" is the outside world.',
      )
      .datasource(prometheus)
      .targets([
        promql(
          `label_replace(sum by (server) (rate(traces_service_graph_request_total{${edges}}[$__range])), "id", "$1", "server", "(.*)")`,
          '',
        )
          .refId('nodes')
          .instant()
          .format(PromQueryFormat.Table),
        promql(
          `label_join(sum by (client, server) (rate(traces_service_graph_request_total{${edges}}[$__range])), "id", "->", "client", "server")`,
          '',
        )
          .refId('edges')
          .instant()
          .format(PromQueryFormat.Table),
      ])
      // The node graph reads frames named nodes/edges with id, title, source, target, mainstat.
      .transformations([
        {
          id: 'organize',
          filter: { id: 'byRefId', options: 'nodes' },
          options: {
            excludeByName: { Time: true },
            renameByName: { server: 'title', Value: 'mainstat' },
          },
        },
        {
          id: 'organize',
          filter: { id: 'byRefId', options: 'edges' },
          options: {
            excludeByName: { Time: true },
            renameByName: { client: 'source', server: 'target', Value: 'mainstat' },
          },
        },
      ])
      .height(12)
      .span(24),
  )
  .withPanel(
    timeseries(
      'Calls between services',
      'Requests per second on each edge of the service map (client → server), from the spans of both ends.',
      'reqps',
      [
        promql(
          `sum by (client, server) (rate(traces_service_graph_request_total{${edges}}[$__rate_interval]))`,
          '{{client}} → {{server}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Failed calls between services',
      'Requests per second on each edge whose client or server span ended in error.',
      'reqps',
      [
        promql(
          `sum by (client, server) (rate(traces_service_graph_request_failed_total{${edges}}[$__rate_interval]))`,
          '{{client}} → {{server}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Server latency between services (p95)',
      '95th percentile duration of the server span on each edge, from the service graph histogram.',
      's',
      [
        promql(
          `histogram_quantile(0.95, sum by (client, server, le) (rate(traces_service_graph_request_server_seconds_bucket{${edges}}[$__rate_interval])))`,
          '{{client}} → {{server}}',
        ),
      ],
    ).span(24),
  );
