// Small helpers shared by the dashboards: datasource references, the variables and links every
// dashboard has, and one-line panel builders that always carry a description (the tests insist).
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as LokiQuery } from '@grafana/grafana-foundation-sdk/loki';
import { PanelBuilder as LogsPanel } from '@grafana/grafana-foundation-sdk/logs';
import {
  DataqueryBuilder as PromQuery,
  PromQueryFormat,
} from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { SERVICE_NAMES, TOPOLOGY } from '../../../libs/api-contracts/src/topology.ts';

// Prometheus through the $datasource variable (a kube-prometheus-stack Grafana names its own);
// Loki and Jaeger by the uids deploy/grafana/provisioning/datasources/datasources.yml gives them.
export const prometheus = { type: 'prometheus', uid: '${datasource}' };
export const loki = { type: 'loki', uid: 'loki' };
export const jaeger = { type: 'jaeger', uid: 'jaeger' };

const TAG = 'nestjs-observability';

/** This product's services: what every query and variable is scoped to in a shared Prometheus. */
export const SERVICES = SERVICE_NAMES.join('|');

/**
 * A dashboard with what every one of them has: the Prometheus datasource and namespace
 * variables, links to the others (keeping the time range and variables, so `service` travels),
 * and this product's alerts as annotations on every time series.
 */
export function dashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags([TAG])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .readonly()
    .withVariable(
      new DatasourceVariableBuilder('datasource')
        .label('Prometheus')
        .type('prometheus')
        .current({ text: 'Prometheus', value: 'prometheus' }),
    )
    .withVariable(
      new QueryVariableBuilder('namespace')
        .label('namespace')
        .datasource(prometheus)
        .query(`label_values(up{service=~"${SERVICES}"}, namespace)`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .multi(true)
        .includeAll(true)
        // Outside Kubernetes there is no namespace label: "All" must match its absence too.
        .allValue('.*'),
    )
    .link(
      new DashboardLinkBuilder('Dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
    .annotation(
      new AnnotationQueryBuilder()
        .name('Alerts')
        .datasource(prometheus)
        .enable(true)
        .iconColor('red')
        .expr(
          `ALERTS{alertstate="firing", alertname!="Watchdog", namespace=~"$namespace", service=~"${SERVICES}"}`,
        )
        .step('30s')
        .titleFormat('{{alertname}}')
        .textFormat('{{service}} {{severity}} {{slo}}'),
    );
}

/** A data link that opens another dashboard with `service` set from the clicked series' `label`. */
export function serviceLink(title: string, uid: string, label = 'service'): DashboardLinkBuilder {
  return new DashboardLinkBuilder(title)
    .type(DashboardLinkType.Link)
    .url(
      `/d/${uid}?var-service=\${__field.labels.${label}}&\${namespace:queryparam}&\${datasource:queryparam}&\${__url_time_range}`,
    );
}

/** The product's services, one or several, from what Prometheus scrapes in $namespace. */
export function serviceVariable(multi: boolean): QueryVariableBuilder {
  const variable = new QueryVariableBuilder('service')
    .label('service')
    .datasource(prometheus)
    .query(`label_values(up{service=~"${SERVICES}", namespace=~"$namespace"}, service)`)
    .refresh(VariableRefresh.OnTimeRangeChanged);
  // No allValue: "All" becomes the list of the five, never `.*` (other apps' services).
  if (multi) return variable.multi(true).includeAll(true);
  // One service at a time opens on one that serves, calls others and owns a database, so every
  // row has data before anyone picks (the first alphabetically, agent-service, has no database).
  const fullest = SERVICE_NAMES.find(
    (name) => TOPOLOGY[name].database && TOPOLOGY[name].calls.length,
  );
  return fullest ? variable.current({ text: fullest, value: fullest }) : variable;
}

/** A PromQL query; `{{label}}` legends as in Grafana. */
export function promql(expr: string, legend: string): PromQuery {
  return new PromQuery().datasource(prometheus).expr(expr).legendFormat(legend);
}

export function timeseries(
  title: string,
  description: string,
  unit: string,
  queries: cog.Builder<cog.Dataquery>[],
): TimeseriesPanel {
  return new TimeseriesPanel()
    .title(title)
    .description(description)
    .datasource(prometheus)
    .unit(unit)
    .targets(queries)
    .height(8)
    .span(12);
}

export function stat(
  title: string,
  description: string,
  unit: string,
  query: PromQuery,
): StatPanel {
  return new StatPanel()
    .title(title)
    .description(description)
    .datasource(prometheus)
    .unit(unit)
    .withTarget(query.instant())
    .height(4)
    .span(6);
}

/** Green below `value`, red from `value` up (error ratios, firing alerts). */
export function redFrom(value: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value, color: 'red' },
  ]);
}

/** Red below `value`, green from `value` up (budgets left). */
export function redBelow(value: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'red' },
    { value, color: 'green' },
  ]);
}

export function table(title: string, description: string, query: PromQuery): TablePanel {
  return new TablePanel()
    .title(title)
    .description(description)
    .datasource(prometheus)
    .withTarget(query.instant().format(PromQueryFormat.Table))
    .height(8)
    .span(24);
}

export function logs(title: string, description: string, expr: string): LogsPanel {
  return new LogsPanel()
    .title(title)
    .description(description)
    .datasource(loki)
    .withTarget(new LokiQuery().datasource(loki).expr(expr))
    .showTime(true)
    .enableLogDetails(true)
    .height(10)
    .span(24);
}

/** A dashboard variable listing the values of `label` on `metric`. */
export function labelVariable(
  name: string,
  metric: string,
  label: string,
  multi: boolean,
): QueryVariableBuilder {
  const variable = new QueryVariableBuilder(name)
    .label(name)
    .datasource(prometheus)
    .query(`label_values(${metric}, ${label})`)
    .refresh(VariableRefresh.OnTimeRangeChanged);
  return multi ? variable.multi(true).includeAll(true) : variable;
}
