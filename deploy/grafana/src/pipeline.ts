// Telemetry pipeline: the health of what carries the signals, from each component's own metrics.
// The OpenTelemetry Collector (its internal telemetry on :8888, scraped as job="otel-collector"):
// spans and log records accepted, refused or failed by its receivers, sent or not by its
// exporters, its sending queue. Spans and log records share a panel: where the services send no
// logs over OTLP (OTEL_LOGS_EXPORTER unset) only the span series exist. Prometheus: rule
// evaluation failures and cost per group, alerts it could not hand to Alertmanager. Alertmanager:
// notifications it could not deliver.
import { dashboard, promql, timeseries } from './panels.ts';

const shopGroups = 'rule_group=~".*;(shop-.*|pipeline)"';

export default dashboard(
  'pipeline',
  'Telemetry pipeline',
  'Is the telemetry itself healthy? Collector receivers, exporters and queue; Prometheus rule evaluation and alert delivery; Alertmanager notifications.',
)
  .withPanel(
    timeseries(
      'Collector: received',
      'Spans and log records per second the Collector’s receivers accepted, refused (the pipeline pushed back, e.g. the memory limiter) and failed (an internal error).',
      'ops',
      [
        promql(
          'sum by (receiver) (rate(otelcol_receiver_accepted_spans_total[$__rate_interval]))',
          'spans accepted {{receiver}}',
        ),
        promql(
          'sum by (receiver) (rate(otelcol_receiver_refused_spans_total[$__rate_interval]))',
          'spans refused {{receiver}}',
        ),
        promql(
          'sum by (receiver) (rate(otelcol_receiver_failed_spans_total[$__rate_interval]))',
          'spans failed {{receiver}}',
        ),
        promql(
          'sum by (receiver) (rate(otelcol_receiver_accepted_log_records_total[$__rate_interval]))',
          'log records accepted {{receiver}}',
        ),
        promql(
          'sum by (receiver) (rate(otelcol_receiver_refused_log_records_total[$__rate_interval]))',
          'log records refused {{receiver}}',
        ),
        promql(
          'sum by (receiver) (rate(otelcol_receiver_failed_log_records_total[$__rate_interval]))',
          'log records failed {{receiver}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Collector: exported',
      'Spans and log records per second each exporter sent, and those it could not send (after retries: they are lost; OtelCollectorExportFailing).',
      'ops',
      [
        promql(
          'sum by (exporter) (rate(otelcol_exporter_sent_spans_total[$__rate_interval]))',
          'spans sent {{exporter}}',
        ),
        promql(
          'sum by (exporter) (rate(otelcol_exporter_send_failed_spans_total[$__rate_interval]))',
          'spans not sent {{exporter}}',
        ),
        promql(
          'sum by (exporter) (rate(otelcol_exporter_sent_log_records_total[$__rate_interval]))',
          'log records sent {{exporter}}',
        ),
        promql(
          'sum by (exporter) (rate(otelcol_exporter_send_failed_log_records_total[$__rate_interval]))',
          'log records not sent {{exporter}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Collector: exporter queue',
      'Batches waiting in each exporter’s sending queue, against its capacity: a full queue drops data.',
      'none',
      [
        promql('max by (exporter) (otelcol_exporter_queue_size)', 'size {{exporter}}'),
        promql('max by (exporter) (otelcol_exporter_queue_capacity)', 'capacity {{exporter}}'),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Prometheus: rule evaluation failures',
      'Failed evaluations per second of this product’s rule groups (shop-* and pipeline): a rule that fails is an alert that can never fire (PrometheusRuleFailures).',
      'ops',
      [
        promql(
          `sum by (rule_group) (rate(prometheus_rule_evaluation_failures_total{${shopGroups}}[$__rate_interval]))`,
          '{{rule_group}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Prometheus: rule group duration',
      'How long each of this product’s rule groups took to evaluate, against its interval; the long SLO windows run in the 1-minute shop-slo-sli-long group.',
      's',
      [
        promql(
          `max by (rule_group) (prometheus_rule_group_last_duration_seconds{${shopGroups}})`,
          '{{rule_group}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Alert delivery',
      'Alerts per second Prometheus sent to Alertmanager, dropped or could not send, and notifications Alertmanager could not deliver (AlertmanagerNotificationsFailing).',
      'ops',
      [
        promql('sum(rate(prometheus_notifications_sent_total[$__rate_interval]))', 'sent'),
        promql(
          'sum(rate(prometheus_notifications_dropped_total[$__rate_interval]))',
          'dropped by Prometheus',
        ),
        promql(
          'sum by (integration) (rate(alertmanager_notifications_failed_total[$__rate_interval]))',
          'not delivered {{integration}}',
        ),
      ],
    ),
  );
