// Business: what the shop does, from the services' domain counters.
import { dashboard, promql, serviceVariable, stat, timeseries } from './panels.ts';

export default dashboard(
  'business',
  'Business',
  'Registrations, logins, orders, revenue, stock reservations and agents.',
)
  .withVariable(serviceVariable(true))
  .withPanel(
    stat(
      'Orders confirmed',
      'Orders confirmed over the time range.',
      'none',
      promql(
        'sum(increase(orders_created_total{namespace=~"$namespace", service=~"$service", status="confirmed"}[$__range]))',
        'confirmed',
      ),
    ),
  )
  .withPanel(
    stat(
      'Revenue',
      'Sum of the totals of confirmed orders over the time range.',
      'currencyUSD',
      promql(
        'sum(increase(order_value_total{namespace=~"$namespace", service=~"$service"}[$__range]))',
        'revenue',
      ),
    ),
  )
  .withPanel(
    stat(
      'New users',
      'Successful registrations over the time range.',
      'none',
      promql(
        'sum(increase(users_registered_total{namespace=~"$namespace", service=~"$service", result="success"}[$__range]))',
        'registered',
      ),
    ),
  )
  .withPanel(
    stat(
      'Agent success ratio',
      'Share of agent executions that succeeded over the time range.',
      'percentunit',
      promql(
        'sum(increase(agent_executions_total{namespace=~"$namespace", service=~"$service", status="success"}[$__range])) / sum(increase(agent_executions_total{namespace=~"$namespace", service=~"$service"}[$__range]))',
        'success',
      ),
    ),
  )
  .withPanel(
    timeseries(
      'Registrations',
      'Registrations per second by result ("conflict" = the email was taken).',
      'reqps',
      [
        promql(
          'sum by (result) (rate(users_registered_total{namespace=~"$namespace", service=~"$service"}[$__rate_interval]))',
          '{{result}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Logins',
      'Logins per second by result; a rise in failures can be credential stuffing.',
      'reqps',
      [
        promql(
          'sum by (result) (rate(user_logins_total{namespace=~"$namespace", service=~"$service"}[$__rate_interval]))',
          '{{result}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries('Orders', 'Orders created per second by outcome, and cancellations.', 'reqps', [
      promql(
        'sum by (status) (rate(orders_created_total{namespace=~"$namespace", service=~"$service"}[$__rate_interval]))',
        '{{status}}',
      ),
      promql(
        'sum(rate(orders_cancelled_total{namespace=~"$namespace", service=~"$service"}[$__rate_interval]))',
        'cancelled',
      ),
    ]),
  )
  .withPanel(
    timeseries('Revenue per minute', 'Value of confirmed orders per minute.', 'currencyUSD', [
      promql(
        'sum(rate(order_value_total{namespace=~"$namespace", service=~"$service"}[$__rate_interval])) * 60',
        'revenue / min',
      ),
    ]),
  )
  .withPanel(
    timeseries(
      'Stock reservations',
      'Stock reservations per second: reserved, refused for insufficient stock, released by cancellations.',
      'reqps',
      [
        promql(
          'sum by (result) (rate(stock_reservations_total{namespace=~"$namespace", service=~"$service"}[$__rate_interval]))',
          '{{result}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Agent executions',
      'Agent executions per second by agent type and outcome.',
      'reqps',
      [
        promql(
          'sum by (agent_type, status) (rate(agent_executions_total{namespace=~"$namespace", service=~"$service"}[$__rate_interval]))',
          '{{agent_type}} {{status}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Agent p95 duration',
      '95th percentile agent execution time by type; SlowAgentExecution fires above 4 s.',
      's',
      [
        promql(
          'histogram_quantile(0.95, sum by (agent_type, le) (rate(agent_execution_duration_seconds_bucket{namespace=~"$namespace", service=~"$service"}[$__rate_interval])))',
          '{{agent_type}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Agent tool calls',
      'Tool calls the agents make per second, by tool and outcome.',
      'reqps',
      [
        promql(
          'sum by (tool, status) (rate(agent_tool_calls_total{namespace=~"$namespace", service=~"$service"}[$__rate_interval]))',
          '{{tool}} {{status}}',
        ),
      ],
    ),
  );
