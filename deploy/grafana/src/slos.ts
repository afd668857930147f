// SLOs and error budgets, from the recording rules in deploy/prometheus/rules/slo.yml: budget left
// and time to exhaustion, the multiwindow burn rates against the lines the alerts page and ticket
// at (14.4 / 6 / 3 / 1), and the state of every SLO alert.
import { PanelBuilder as StateTimelinePanel } from '@grafana/grafana-foundation-sdk/statetimeline';
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
} from '@grafana/grafana-foundation-sdk/common';
import {
  dashboard,
  prometheus,
  promql,
  redBelow,
  serviceVariable,
  stat,
  timeseries,
} from './panels.ts';

const s = 'namespace=~"$namespace", service=~"$service"';

/** Burn rate over one window: its error ratio divided by the SLO's budget. */
const burn = (window: string) =>
  promql(
    `slo:sli_error:ratio_rate${window}{${s}} / on (slo) group_left () slo:error_budget:ratio`,
    `${window} {{service}} {{slo}}`,
  );

/** Dashed lines at the burn rates the alerts fire at. */
const burnLines = (lines: { value: number; color: string }[]) =>
  new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: 'transparent' }, ...lines]);

export default dashboard(
  'slos',
  'SLOs and error budgets',
  'Availability (99.9% non-5xx) and latency (99% within 1 s) per service over 30 days: budget left, time to exhaustion, burn rates against the alert lines, alert states.',
)
  .withVariable(serviceVariable(true))
  .withPanel(
    stat(
      'Availability, 30 days',
      'Share of requests not answered with a 5xx over the last 30 days (objective 99.9%).',
      'percentunit',
      promql(`1 - slo:sli_error:ratio_rate30d{${s}, slo="availability"}`, '{{service}}'),
    ).span(12),
  )
  .withPanel(
    stat(
      'Within 1 s, 30 days',
      'Share of requests that finished within 1 s over the last 30 days (objective 99%).',
      'percentunit',
      promql(`1 - slo:sli_error:ratio_rate30d{${s}, slo="latency"}`, '{{service}}'),
    ).span(12),
  )
  .withPanel(
    stat(
      'Availability budget left',
      'Share of the 30-day availability error budget not yet spent; below 0 the SLO is missed.',
      'percentunit',
      promql(`slo:period_error_budget_remaining:ratio{${s}, slo="availability"}`, '{{service}}'),
    )
      .span(12)
      .thresholds(redBelow(0.25)),
  )
  .withPanel(
    stat(
      'Latency budget left',
      'Share of the 30-day latency error budget not yet spent; below 0 the SLO is missed.',
      'percentunit',
      promql(`slo:period_error_budget_remaining:ratio{${s}, slo="latency"}`, '{{service}}'),
    )
      .span(12)
      .thresholds(redBelow(0.25)),
  )
  .withPanel(
    stat(
      'Budget exhausted in, at the current burn',
      'How long the budget left lasts if the last hour’s burn rate goes on: budget left × 30 days / burn rate (1h); 0 when the budget is spent. Only SLOs that burn at all are shown.',
      's',
      promql(
        `clamp_min(slo:period_error_budget_remaining:ratio{${s}}, 0) * 30 * 86400 / (slo:current_burn_rate:ratio{${s}} > 0)`,
        '{{service}} {{slo}}',
      ),
    ).span(24),
  )
  .withPanel(
    timeseries(
      'Burn rate, page windows',
      'Burn rate (error ratio / budget) over the windows of the page: 5m and 1h against 14.4, 30m and 6h against 6 (the dashed lines). A pair over its line for 2m (14.4) or 15m (6) pages.',
      'none',
      [burn('5m'), burn('1h'), burn('30m'), burn('6h')],
    )
      .thresholds(
        burnLines([
          { value: 6, color: 'orange' },
          { value: 14.4, color: 'red' },
        ]),
      )
      .thresholdsStyle(
        new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed),
      ),
  )
  .withPanel(
    timeseries(
      'Burn rate, ticket windows',
      'Burn rate over the windows of the ticket: 2h and 1d against 3, 6h and 3d against 1 (the dashed lines). A pair over its line for 1h (3) or 3h (1) opens a ticket.',
      'none',
      [burn('2h'), burn('1d'), burn('6h'), burn('3d')],
    )
      .thresholds(
        burnLines([
          { value: 1, color: 'yellow' },
          { value: 3, color: 'orange' },
        ]),
      )
      .thresholdsStyle(
        new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed),
      ),
  )
  .withPanel(
    new StateTimelinePanel()
      .title('SLO alert states')
      .description(
        'ErrorBudgetBurn per service and SLO, page (critical) and ticket (warning): pending while a window pair holds but not yet for its time, firing after.',
      )
      .datasource(prometheus)
      .withTarget(
        promql(
          `max by (service, slo, severity, alertstate) (ALERTS{alertname="ErrorBudgetBurn", ${s}})`,
          '{{service}} {{slo}} {{severity}} {{alertstate}}',
        ),
      )
      .height(8)
      .span(24),
  )
  .withPanel(
    timeseries(
      'Budget remaining over time',
      'The 30-day error budget left, as it was at each point in time.',
      'percentunit',
      [promql(`slo:period_error_budget_remaining:ratio{${s}}`, '{{service}} {{slo}}')],
    ).span(24),
  );
