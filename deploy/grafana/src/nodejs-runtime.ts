// Node.js runtime: prom-client's default metrics for the selected services.
import { dashboard, labelVariable, promql, timeseries } from './panels.ts';

const s = 'service=~"$service"';

export default dashboard(
  'nodejs-runtime',
  'Node.js runtime',
  'Event loop, memory, garbage collection and CPU of each service process.',
)
  .withVariable(labelVariable('service', 'process_start_time_seconds', 'service', true))
  .withPanel(
    timeseries(
      'Event loop lag',
      'p50 and p99 event-loop delay per process; a blocked loop delays every request. EventLoopLagHigh fires above 200 ms (p99, 1-minute average).',
      's',
      [
        promql(`nodejs_eventloop_lag_p99_seconds{${s}}`, 'p99 {{service}}'),
        promql(`nodejs_eventloop_lag_p50_seconds{${s}}`, 'p50 {{service}}'),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Resident memory',
      'Resident set size per process; HighMemoryUsage fires above 512 MiB, the container limit is 768 MiB.',
      'bytes',
      [promql(`process_resident_memory_bytes{${s}}`, '{{service}}')],
    ),
  )
  .withPanel(
    timeseries(
      'V8 heap',
      'Heap used and heap total per process; used creeping up to total after each GC hints at a leak.',
      'bytes',
      [
        promql(`nodejs_heap_size_used_bytes{${s}}`, 'used {{service}}'),
        promql(`nodejs_heap_size_total_bytes{${s}}`, 'total {{service}}'),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'GC time',
      'Seconds per second spent in garbage collection, by GC kind.',
      'percentunit',
      [
        promql(
          `sum by (service, kind) (rate(nodejs_gc_duration_seconds_sum{${s}}[$__rate_interval]))`,
          '{{service}} {{kind}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries('CPU', 'CPU seconds per second per process (1 = one full core).', 'percentunit', [
      promql(`rate(process_cpu_seconds_total{${s}}[$__rate_interval])`, '{{service}}'),
    ]),
  )
  .withPanel(
    timeseries(
      'Handles and file descriptors',
      'Active libuv handles and open file descriptors; a steady climb is a leak of sockets or timers.',
      'none',
      [
        promql(`nodejs_active_handles_total{${s}}`, 'handles {{service}}'),
        promql(`process_open_fds{${s}}`, 'fds {{service}}'),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Restarts',
      'Process start time changes in the window: each step is a restart. ServiceRestarting fires after 3 in 15 minutes.',
      'none',
      [promql(`changes(process_start_time_seconds{${s}}[$__rate_interval])`, '{{service}}')],
    ).span(24),
  );
