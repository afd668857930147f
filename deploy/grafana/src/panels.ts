// Small helpers shared by the dashboards: datasource references with the provisioned uids and
// one-line panel builders that always carry a description (the tests insist on it).
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
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

// The uids deploy/grafana/provisioning/datasources/datasources.yml gives the datasources.
export const prometheus = { type: 'prometheus', uid: 'prometheus' };
export const loki = { type: 'loki', uid: 'loki' };

export function dashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['nestjs-observability'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .readonly();
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
