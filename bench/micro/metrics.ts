// What the RED metrics cost per request: prom-client's counter and histogram with a labels
// object per observation (with and without an exemplar), and with label-bound children.
//   node bench/micro/metrics.ts
import { Counter, Histogram, Registry } from 'prom-client';
import { measure } from './measure.ts';

const registry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
const labelNames = ['method', 'route', 'status_code'] as const;
const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const registers = [registry];
const requests = new Counter({ name: 'requests_total', help: '-', labelNames, registers });
const duration = new Histogram({ name: 'duration', help: '-', labelNames, buckets, registers });
const withExemplars = new Histogram({
  name: 'duration_exemplars',
  help: '-',
  labelNames,
  buckets,
  registers,
  enableExemplars: true,
});
const boundRequests = requests.labels('GET', '/products/:id', '200');
const boundDuration = duration.labels('GET', '/products/:id', '200');
const labels = () => ({ method: 'GET', route: '/products/:id', status_code: '200' });
const traceId = { trace_id: '0af7651916cd43dd8448eb211c80319c' };

measure({
  'labels objects': () => {
    const set = labels();
    requests.inc(set);
    duration.observe(set, 0.003);
  },
  // One request in ten sampled, as the default sampler has it.
  'with exemplars': (i) => {
    const set = labels();
    requests.inc(set);
    withExemplars.observe({
      labels: set,
      value: 0.003,
      ...(i % 10 === 0 && { exemplarLabels: traceId as never }),
    });
  },
  'bound children': () => {
    boundRequests.inc();
    boundDuration.observe(0.003);
  },
});
