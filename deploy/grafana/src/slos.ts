// SLOs and error budgets, from the recording rules in deploy/prometheus/rules/slo.yml.
import { dashboard, labelVariable, promql, redBelow, stat, timeseries } from './panels.ts';

const s = 'service=~"$service"';

export default dashboard(
  'slos',
  'SLOs and error budgets',
  'Availability (99.9% non-5xx) and latency (95% under 500 ms) per service over 30 days, with burn rates.',
)
  .withVariable(labelVariable('service', 'slo:sli_error:ratio_rate5m', 'service', true))
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
      'Within 500 ms, 30 days',
      'Share of requests that finished within 500 ms over the last 30 days (objective 95%).',
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
    timeseries(
      'Burn rate (1h)',
      'How many times faster than budget-neutral each SLO burns over the last hour; 14.4 on 1h and 5m pages, 1 means the budget lasts exactly 30 days.',
      'none',
      [promql(`slo:current_burn_rate:ratio{${s}}`, '{{service}} {{slo}}')],
    ),
  )
  .withPanel(
    timeseries(
      'Error ratio by window',
      'The SLI error ratio over the windows the burn-rate alerts compare (5m, 1h, 6h); availability and latency.',
      'percentunit',
      [
        promql(`slo:sli_error:ratio_rate5m{${s}}`, '5m {{service}} {{slo}}'),
        promql(`slo:sli_error:ratio_rate1h{${s}}`, '1h {{service}} {{slo}}'),
        promql(`slo:sli_error:ratio_rate6h{${s}}`, '6h {{service}} {{slo}}'),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Budget remaining over time',
      'The 30-day error budget left, as it was at each point in time.',
      'percentunit',
      [promql(`slo:period_error_budget_remaining:ratio{${s}}`, '{{service}} {{slo}}')],
    ).span(24),
  );
