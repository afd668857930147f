// Node.js runtime: prom-client's default metrics for the selected services (event loop, heap
// spaces, external memory, GC by kind, CPU, handles, versions), the process restarts, and the
// hosts they run on (node_exporter, job node-exporter: CPU, memory, filesystems, disks, network).
import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { dashboard, prometheus, promql, serviceVariable, timeseries } from './panels.ts';

const s = 'namespace=~"$namespace", service=~"$service"';
// The hosts: node_exporter's own job, in every run mode (no namespace: the hosts are shared).
const host = 'job="node-exporter"';
const disks = `${host}, fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs", mountpoint!=""`;

export default dashboard(
  'nodejs-runtime',
  'Node.js runtime',
  'Event loop, heap spaces, external memory, garbage collection by kind, CPU and versions of each service process.',
)
  .withVariable(serviceVariable(true))
  .withPanel(
    timeseries(
      'Event loop lag',
      'p50 and p99 event-loop delay per process; a blocked loop delays every request. EventLoopLagHigh fires above 200 ms (p99, 1-minute average).',
      's',
      [
        promql(`nodejs_eventloop_lag_p99_seconds{${s}}`, 'p99 {{service}} {{instance}}'),
        promql(`nodejs_eventloop_lag_p50_seconds{${s}}`, 'p50 {{service}} {{instance}}'),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Event loop utilisation',
      'Share of the time the event loop was busy rather than idle (performance.eventLoopUtilization, OpenTelemetry nodejs.eventloop.utilization); near 1 the process cannot take more work even when the lag still looks fine.',
      'percentunit',
      [promql(`nodejs_eventloop_utilization_ratio{${s}}`, '{{service}} {{instance}}')],
    ),
  )
  .withPanel(
    timeseries(
      'Resident memory',
      'Resident set size per process; HighMemoryUsage warns above 512 MiB (in Kubernetes: 80% of the container limit).',
      'bytes',
      [promql(`process_resident_memory_bytes{${s}}`, '{{service}} {{instance}}')],
    ),
  )
  .withPanel(
    timeseries(
      'V8 heap',
      'Heap used and heap total per process; used creeping up to total after each GC hints at a leak.',
      'bytes',
      [
        promql(`nodejs_heap_size_used_bytes{${s}}`, 'used {{service}} {{instance}}'),
        promql(`nodejs_heap_size_total_bytes{${s}}`, 'total {{service}} {{instance}}'),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Heap used by space',
      'V8 heap in use per space: new (young objects), old (survivors: where leaks accumulate), code, large_object (big buffers and arrays).',
      'bytes',
      [
        promql(
          `sum by (service, space) (nodejs_heap_space_size_used_bytes{${s}})`,
          '{{service}} {{space}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'External memory',
      'Memory held by C++ objects bound to JavaScript (Buffers, the embedded database): it counts in the resident set but not in the heap.',
      'bytes',
      [promql(`nodejs_external_memory_bytes{${s}}`, '{{service}} {{instance}}')],
    ),
  )
  .withPanel(
    timeseries(
      'GC time by kind',
      'Seconds per second spent in garbage collection, by GC kind (minor = scavenge of the young generation, major = mark-sweep-compact, incremental, weakcb).',
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
    timeseries(
      'GC runs by kind',
      'Garbage collections per second by kind; many major collections per second mean the old space is nearly full.',
      'ops',
      [
        promql(
          `sum by (service, kind) (rate(nodejs_gc_duration_seconds_count{${s}}[$__rate_interval]))`,
          '{{service}} {{kind}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries('CPU', 'CPU seconds per second per process (1 = one full core).', 'percentunit', [
      promql(`rate(process_cpu_seconds_total{${s}}[$__rate_interval])`, '{{service}} {{instance}}'),
    ]),
  )
  .withPanel(
    timeseries(
      'Handles and file descriptors',
      'Active libuv handles and open file descriptors; a steady climb is a leak of sockets or timers.',
      'none',
      [
        promql(`nodejs_active_handles_total{${s}}`, 'handles {{service}} {{instance}}'),
        promql(`process_open_fds{${s}}`, 'fds {{service}} {{instance}}'),
      ],
    ),
  )
  .withPanel(
    new TablePanel()
      .title('Node.js versions')
      .description(
        'The Node.js version each process runs (nodejs_version_info): after a rollout, every instance should show the same.',
      )
      .datasource(prometheus)
      .withTarget(
        promql(`count by (service, version) (nodejs_version_info{${s}})`, '{{service}} {{version}}')
          .instant()
          .format(PromQueryFormat.Table),
      )
      .height(8)
      .span(12),
  )
  .withPanel(
    timeseries(
      'Restarts',
      'Process start time changes in the window: each step is a restart. ServiceRestarting warns after 3 in 15 minutes (in Kubernetes it counts container restarts from kube-state-metrics).',
      'none',
      [
        promql(
          `changes(process_start_time_seconds{${s}}[$__rate_interval])`,
          '{{service}} {{instance}}',
        ),
      ],
    ),
  )
  .withRow(new RowBuilder('Host'))
  .withPanel(
    timeseries(
      'Host CPU busy',
      'Share of CPU time each host spent working (not idle, not waiting on I/O), all CPUs together; HostCpuSaturated warns above 90% for 15 minutes.',
      'percentunit',
      [
        promql(
          `1 - avg by (instance) (sum by (instance, cpu) (rate(node_cpu_seconds_total{${host}, mode=~"idle|iowait"}[$__rate_interval])))`,
          '{{instance}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Host memory available',
      'Share of memory available to new work (free plus reclaimable cache); HostMemoryPressure warns below 10% while the kernel pages in from disk.',
      'percentunit',
      [
        promql(
          `node_memory_MemAvailable_bytes{${host}} / node_memory_MemTotal_bytes{${host}}`,
          '{{instance}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Host filesystem space available',
      'Share of each filesystem still free (in-memory ones left out); HostFilesystemFillingUp warns when the trend of the last 6 hours reaches zero within 24 hours.',
      'percentunit',
      [
        promql(
          `node_filesystem_avail_bytes{${disks}} / node_filesystem_size_bytes{${disks}}`,
          '{{instance}} {{mountpoint}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Host network traffic',
      'Bytes per second each host received and sent on its network interfaces, loopback left out.',
      'Bps',
      [
        promql(
          `sum by (instance) (rate(node_network_receive_bytes_total{${host}, device!="lo"}[$__rate_interval]))`,
          'received {{instance}}',
        ),
        promql(
          `sum by (instance) (rate(node_network_transmit_bytes_total{${host}, device!="lo"}[$__rate_interval]))`,
          'sent {{instance}}',
        ),
      ],
    ),
  )
  .withPanel(
    timeseries(
      'Host disk busy',
      'Share of time each disk was busy with I/O: near 100% every read and write queues.',
      'percentunit',
      [
        promql(
          `rate(node_disk_io_time_seconds_total{${host}}[$__rate_interval])`,
          '{{instance}} {{device}}',
        ),
      ],
    ),
  );
