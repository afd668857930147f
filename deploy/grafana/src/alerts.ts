// Alerts overview: what Prometheus is firing, from its ALERTS and ALERTS_FOR_STATE series.
import { dashboard, promql, redFrom, stat, table, timeseries } from './panels.ts';

export default dashboard(
  'alerts-overview',
  'Alerts overview',
  'Firing and pending alerts by severity and service, and their history.',
)
  .withPanel(
    stat(
      'Critical firing',
      'Critical alerts firing now: someone is being paged.',
      'none',
      promql('count(ALERTS{alertstate="firing", severity="critical"}) or vector(0)', 'critical'),
    ).thresholds(redFrom(1)),
  )
  .withPanel(
    stat(
      'Warnings firing',
      'Warning alerts firing now: they reach chat, no page.',
      'none',
      promql('count(ALERTS{alertstate="firing", severity="warning"}) or vector(0)', 'warning'),
    ).thresholds(redFrom(1)),
  )
  .withPanel(
    stat(
      'Pending',
      'Alerts whose condition holds but whose `for` has not passed yet.',
      'none',
      promql('count(ALERTS{alertstate="pending"}) or vector(0)', 'pending'),
    ),
  )
  .withPanel(
    stat(
      'Watchdog',
      '1 while the always-firing Watchdog is firing; 0 means the rule evaluation itself is broken.',
      'none',
      promql('count(ALERTS{alertname="Watchdog", alertstate="firing"}) or vector(0)', 'watchdog'),
    ),
  )
  .withPanel(
    table(
      'Firing alerts',
      'Every alert firing now with its labels; runbooks are in docs/runbooks/<alertname>.md.',
      promql('ALERTS{alertstate="firing"}', ''),
    ),
  )
  .withPanel(
    timeseries('Firing alerts over time', 'Firing alerts by name and service.', 'none', [
      promql(
        'count by (alertname, service) (ALERTS{alertstate="firing", alertname!="Watchdog"})',
        '{{alertname}} {{service}}',
      ),
    ]),
  )
  .withPanel(
    timeseries(
      'Time active',
      'Seconds since each active alert became pending (from ALERTS_FOR_STATE).',
      's',
      [
        promql(
          'time() - max by (alertname, service) (ALERTS_FOR_STATE)',
          '{{alertname}} {{service}}',
        ),
      ],
    ),
  );
