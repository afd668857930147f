// Telemetry pipeline: the health of what carries the signals, from each component's own metrics.
// The OpenTelemetry Collector, in two tiers (internal telemetry scraped as job="otel-collector"
// for the first, job="otel-sampler" for every sampler): spans and log records accepted, refused or
// failed by its receivers, sent or not by its exporters, its sending queue; the samplers' spans
// kept, dropped and arriving late, their decisions by policy, the traces waiting and those dropped
// undecided (docs/tail-sampling.md). Spans and log records share a panel: where the services send no
// logs over OTLP (OTEL_LOGS_EXPORTER unset) only the span series exist. Prometheus: rule
// evaluation failures and cost per group, alerts it could not hand to Alertmanager. Alertmanager:
// notifications it could not deliver.
import { dashboard, promql, timeseries } from './panels.ts';

const shopGroups = 'rule_group=~".*;(shop-.*|pipeline)"';

export default dashboard(
  'pipeline',
  'Telemetry pipeline',
  'Is the telemetry itself healthy? Collector receivers, exporters and queue, tail sampling; Prometheus rule evaluation and alert delivery; Alertmanager notifications.',
)
  .withPanel(
    timeseries(
      'Collector: received',
      'Spans and log records per second each tier’s receivers accepted, refused (the pipeline pushed back, e.g. the memory limiter) and failed (an internal error).',
      'ops',
      [
        promql(
          'sum by (job, receiver) (rate(otelcol_receiver_accepted_spans_total[$__rate_interval]))',
          'spans accepted {{job}} {{receiver}}',
        ),
        promql(
          'sum by (job, receiver) (rate(otelcol_receiver_refused_spans_total[$__rate_interval]))',
          'spans refused {{job}} {{receiver}}',
        ),
        promql(
          'sum by (job, receiver) (rate(otelcol_receiver_failed_spans_total[$__rate_interval]))',
          'spans failed {{job}} {{receiver}}',
        ),
        promql(
          'sum by (job, receiver) (rate(otelcol_receiver_accepted_log_records_total[$__rate_interval]))',
          'log records accepted {{job}} {{receiver}}',
        ),
        promql(
          'sum by (job, receiver) (rate(otelcol_receiver_refused_log_records_total[$__rate_interval]))',
          'log records refused {{job}} {{receiver}}',
        ),
        promql(
          'sum by (job, receiver) (rate(otelcol_receiver_failed_log_records_total[$__rate_interval]))',
          'log records failed {{job}} {{receiver}}',
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
          'sum by (job, exporter) (rate(otelcol_exporter_sent_spans_total[$__rate_interval]))',
          'spans sent {{job}} {{exporter}}',
        ),
        promql(
          'sum by (job, exporter) (rate(otelcol_exporter_send_failed_spans_total[$__rate_interval]))',
          'spans not sent {{job}} {{exporter}}',
        ),
        promql(
          'sum by (job, exporter) (rate(otelcol_exporter_sent_log_records_total[$__rate_interval]))',
          'log records sent {{job}} {{exporter}}',
        ),
        promql(
          'sum by (job, exporter) (rate(otelcol_exporter_send_failed_log_records_total[$__rate_interval]))',
          'log records not sent {{job}} {{exporter}}',
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
        promql('max by (job, exporter) (otelcol_exporter_queue_size)', 'size {{job}} {{exporter}}'),
        promql(
          'max by (job, exporter) (otelcol_exporter_queue_capacity)',
          'capacity {{job}} {{exporter}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Tail sampling: spans kept, dropped, late',
      'Spans per second the samplers received, passed on to Jaeger (kept: sent, or failed to send) and dropped with their trace (received minus kept, shifted by the 10 s decision wait), and spans that arrived after their trace was decided (late: they follow the decision, from memory or from the decision cache). Kept is every failed, slow or faulted trace plus OTELCOL_TAIL_SAMPLING_PERCENT of the rest.',
      'ops',
      [
        promql(
          'sum(rate(otelcol_receiver_accepted_spans_total{job="otel-sampler"}[$__rate_interval]))',
          'received',
        ),
        promql(
          'sum(rate(otelcol_exporter_sent_spans_total{job="otel-sampler"}[$__rate_interval])) + sum(rate(otelcol_exporter_send_failed_spans_total{job="otel-sampler"}[$__rate_interval]))',
          'kept',
        ),
        promql(
          'sum(rate(otelcol_receiver_accepted_spans_total{job="otel-sampler"}[$__rate_interval])) - sum(rate(otelcol_exporter_sent_spans_total{job="otel-sampler"}[$__rate_interval])) - sum(rate(otelcol_exporter_send_failed_spans_total{job="otel-sampler"}[$__rate_interval]))',
          'dropped',
        ),
        promql(
          'sum(rate(otelcol_processor_tail_sampling_sampling_late_span_age_seconds_count{job="otel-sampler"}[$__rate_interval])) + sum(rate(otelcol_processor_tail_sampling_early_releases_from_cache_decision_total{job="otel-sampler"}[$__rate_interval]))',
          'late',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Tail sampling: traces kept by policy',
      'Traces per second each policy of sampler.yaml would keep (a trace can match several), and all traces by final decision.',
      'ops',
      [
        promql(
          'sum by (policy) (rate(otelcol_processor_tail_sampling_count_traces_sampled_total{job="otel-sampler", sampled="true"}[$__rate_interval]))',
          'policy {{policy}}',
        ),
        promql(
          'sum by (decision) (rate(otelcol_processor_tail_sampling_global_count_traces_sampled_total{job="otel-sampler"}[$__rate_interval]))',
          '{{decision}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Tail sampling: traces waiting, dropped undecided',
      'Traces each sampler holds until its decision (at most num_traces, 50,000), and traces per second it dropped before deciding because it was full (TailSamplingDecisionsDropped).',
      'short',
      [
        promql(
          'max by (instance) (otelcol_processor_tail_sampling_sampling_traces_on_memory{job="otel-sampler"})',
          'waiting {{instance}}',
        ),
        promql(
          'sum by (instance) (rate(otelcol_processor_tail_sampling_sampling_trace_dropped_too_early_total{job="otel-sampler"}[$__rate_interval]))',
          'dropped undecided /s {{instance}}',
        ),
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
