// The live half of `npm run test:stack`: against the local stack (deploy/local/stack.sh, already
// started by deploy/test/run.sh), starts the five built services with OTLP traces and logs going
// to the Collector, places an order through the gateway and follows it through every backend:
// its trace in Jaeger's query API, its log lines in the Collector's file output, a trace_id
// exemplar in Prometheus, the Collector's own and span metrics scraped, the export-failure alert
// loaded. Prints one `ok - ` / `not ok - ` line per check and saves what the backends returned
// for `stackcheck links` (the Grafana link variables).
//   node deploy/test/live-stack.ts <work dir> <stack dir>
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startServices, type RunningServices } from '../../tools/services/launcher.ts';
import { checkTroubleshooting } from './troubleshooting.ts';

const [workDir, stackDir] = process.argv.slice(2);
if (!workDir || !stackDir) {
  console.error('usage: node deploy/test/live-stack.ts <work dir> <stack dir>');
  process.exit(2);
}
const prometheus = 'http://127.0.0.1:9090';
const jaeger = 'http://127.0.0.1:16686';
const logsFile = join(stackDir, 'otelcol', 'logs.jsonl');
mkdirSync(workDir, { recursive: true });

let failed = 0;
async function check(name: string, body: () => Promise<string | void>): Promise<void> {
  try {
    const note = await body();
    console.log(`ok - ${name}${note ? ` (${note})` : ''}`);
  } catch (error) {
    failed++;
    console.log(`not ok - ${name}`);
    for (const line of String(error instanceof Error ? error.message : error).split('\n')) {
      console.log(`    # ${line}`);
    }
  }
}

/** Retries `probe` until it returns a value (telemetry arrives in batches), or throws its last error. */
async function eventually<T>(probe: () => Promise<T>, seconds = 60): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((wake) => setTimeout(wake, 1000));
    }
  }
}

async function json(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
}

async function promQuery(query: string): Promise<any[]> {
  const { body } = await json(`${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  if (body?.status !== 'success') throw new Error(`${query}: ${JSON.stringify(body)}`);
  return body.data.result;
}

interface JaegerSpan {
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
  processID: string;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

let services: RunningServices | undefined;
try {
  services = await startServices({
    dataDir: join(workDir, 'services-data'),
    logDir: join(workDir, 'services-logs'),
    env: {
      JWT_SECRET: 'test-stack-secret-0123456789',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_LOGS_EXPORTER: 'otlp',
      // Every new trace kept, so this order's trace, logs and exemplar must all exist; a
      // caller's decision is followed, so a traceparent with flags 00 gives an unsampled trace.
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    },
    // The embedded databases start slowly on a busy 2-core machine.
    readyTimeoutMs: 180_000,
  });
} catch (error) {
  console.log('not ok - the five built services start with OTLP to the Collector');
  console.log(`    # ${error instanceof Error ? error.message : error}`);
  console.log(`    # (build them first: npx nx run-many -t build)`);
  process.exit(1);
}

const gateway = services.urls['api-gateway'];
let traceId = '';
let unsampledTraceId = '';
let trace: JaegerTrace | undefined;

try {
  await check('an order placed through the gateway returns its trace id', async () => {
    const email = `stack-${Date.now()}@example.com`;
    const post = (path: string, body: unknown, token?: string) =>
      json(`${gateway}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const registered = await post('/api/auth/register', {
      email,
      password: 'stack-test-password',
      name: 'stack',
    });
    if (registered.status !== 201)
      throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
    const login = await post('/api/auth/login', { email, password: 'stack-test-password' });
    const { body: page } = await json(`${gateway}/api/products?limit=1`);
    const order = await post(
      '/api/orders',
      { items: [{ productId: page.items[0].id, quantity: 1 }] },
      login.body.accessToken,
    );
    if (order.status !== 201)
      throw new Error(`order: ${order.status} ${JSON.stringify(order.body)}`);
    traceId = order.headers.get('x-trace-id') ?? '';
    if (!/^[0-9a-f]{32}$/.test(traceId)) throw new Error(`x-trace-id is '${traceId}'`);
    return traceId;
  });

  await check(
    "a request of a caller's unsampled trace (traceparent flags 00) is served",
    async () => {
      unsampledTraceId = randomBytes(16).toString('hex');
      const traceparent = `00-${unsampledTraceId}-${randomBytes(8).toString('hex')}-00`;
      const { status } = await json(`${gateway}/api/products?limit=1`, {
        headers: { traceparent },
      });
      if (status !== 200) throw new Error(`GET /api/products: ${status}`);
      writeFileSync(join(workDir, 'unsampled-trace-id'), unsampledTraceId);
      return unsampledTraceId;
    },
  );

  await check(
    'Jaeger has the trace: server spans of gateway, order, user and product services with correct parents',
    async () => {
      trace = await eventually(async () => {
        const { status, body } = await json(`${jaeger}/api/traces/${traceId}`);
        const found: JaegerTrace | undefined = body?.data?.[0];
        if (status !== 200 || !found)
          throw new Error(
            `GET /api/traces/${traceId}: ${status} ${JSON.stringify(body).slice(0, 300)}`,
          );
        const servicesWithServerSpans = new Set(
          found.spans
            .filter((s) => kind(s) === 'server')
            .map((s) => found.processes[s.processID].serviceName),
        );
        for (const name of ['api-gateway', 'order-service', 'user-service', 'product-service']) {
          if (!servicesWithServerSpans.has(name))
            throw new Error(`no server span of ${name} yet; have ${[...servicesWithServerSpans]}`);
        }
        return found;
      });
      const t = trace;
      writeFileSync(join(workDir, 'trace.json'), JSON.stringify({ data: [t] }));
      const byId = new Map(t.spans.map((s) => [s.spanID, s]));
      const service = (s: JaegerSpan) => t.processes[s.processID].serviceName;
      const servers = t.spans.filter((s) => kind(s) === 'server');
      const problems: string[] = [];
      for (const span of servers) {
        const parentRef = span.references.find((r) => r.refType === 'CHILD_OF');
        const parent = parentRef && byId.get(parentRef.spanID);
        const where = `${service(span)} ${span.operationName}`;
        if (service(span) === 'api-gateway' && span.operationName.startsWith('POST /api/orders')) {
          if (parentRef)
            problems.push(
              `${where}: the gateway's request span should be the root, has parent ${parentRef.spanID}`,
            );
          continue;
        }
        if (!parent)
          problems.push(`${where}: parent ${parentRef?.spanID ?? '(none)'} is not in the trace`);
        else if (kind(parent) !== 'client' || service(parent) === service(span))
          problems.push(
            `${where}: parent is ${service(parent)} ${parent.operationName} (${kind(parent)}), not another service's client span`,
          );
      }
      if (
        !servers.some((s) => service(s) === 'api-gateway' && s.operationName === 'POST /api/orders')
      )
        problems.push(
          `no gateway server span 'POST /api/orders' in ${servers.map((s) => s.operationName)}`,
        );
      if (problems.length) throw new Error(problems.join('\n'));
      return `${t.spans.length} spans, ${servers.length} server spans`;
    },
  );

  await check(
    "the request's log lines reach the Collector's file output with the same trace id",
    async () => {
      const seen = await eventually(async () => {
        if (!existsSync(logsFile)) throw new Error(`${logsFile} does not exist`);
        const services = new Set<string>();
        for (const line of readFileSync(logsFile, 'utf8').split('\n')) {
          if (!line.includes(traceId)) continue;
          for (const resourceLogs of JSON.parse(line).resourceLogs ?? []) {
            const name = resourceLogs.resource?.attributes?.find(
              (a: any) => a.key === 'service.name',
            )?.value?.stringValue;
            for (const scope of resourceLogs.scopeLogs ?? [])
              for (const record of scope.logRecords ?? [])
                if (record.traceId === traceId) services.add(name);
          }
        }
        for (const name of ['api-gateway', 'order-service', 'user-service', 'product-service']) {
          if (!services.has(name))
            throw new Error(
              `no log record of ${name} with trace id ${traceId}; have ${[...services]}`,
            );
        }
        // The unsampled request's lines too (stackcheck links proves they get no trace link).
        if (!readFileSync(logsFile, 'utf8').includes(unsampledTraceId))
          throw new Error(`no log record of the unsampled trace ${unsampledTraceId}`);
        return services;
      });
      return [...seen].sort().join(', ');
    },
  );

  await check('Prometheus has a trace_id exemplar of this request', async () => {
    const now = Date.now() / 1000;
    const query = encodeURIComponent('http_request_duration_seconds_bucket{service="api-gateway"}');
    const found = await eventually(async () => {
      const { body } = await json(
        `${prometheus}/api/v1/query_exemplars?query=${query}&start=${now - 600}&end=${now + 600}`,
      );
      const exemplars = (body?.data ?? []).flatMap((series: any) => series.exemplars);
      const match = exemplars.find((e: any) => e.labels?.trace_id === traceId);
      if (!match) throw new Error(`no exemplar with trace_id ${traceId} among ${exemplars.length}`);
      writeFileSync(join(workDir, 'exemplars.json'), JSON.stringify(body));
      return match;
    });
    return `value ${found.value}`;
  });

  await check("Prometheus scrapes the Collector's own metrics and its span metrics", async () => {
    await eventually(async () => {
      const up = await promQuery('up{job="otel-collector"} == 1');
      const accepted = await promQuery(
        'otelcol_receiver_accepted_spans_total{job="otel-collector"}',
      );
      const sent = await promQuery('otelcol_exporter_sent_log_records_total{job="otel-collector"}');
      const spanMetrics = await promQuery(
        'traces_span_metrics_calls_total{job="spanmetrics", service_name="order-service"}',
      );
      if (!up.length || !accepted.length || !sent.length || !spanMetrics.length)
        throw new Error(
          `up ${up.length}, accepted spans ${accepted.length}, sent log records ${sent.length}, span metrics ${spanMetrics.length}`,
        );
    });
  });

  await check("Jaeger's Monitor tab reads the span metrics from Prometheus", async () => {
    await eventually(async () => {
      const { status, body } = await json(
        `${jaeger}/api/metrics/calls?service=order-service&endTs=${Date.now()}&lookback=600000&step=5000&ratePer=60000`,
      );
      const points = (body?.metrics ?? []).flatMap((m: any) => m.metricPoints ?? []);
      if (status !== 200 || !points.length)
        throw new Error(`GET /api/metrics/calls: ${status} ${JSON.stringify(body).slice(0, 300)}`);
    });
  });

  await check("an alert on the Collector's export failures is loaded", async () => {
    const { body } = await json(`${prometheus}/api/v1/rules?type=alert`);
    const names = body.data.groups.flatMap((g: any) => g.rules.map((r: any) => r.name));
    if (!names.includes('OtelCollectorExportFailing')) throw new Error(`alerts loaded: ${names}`);
  });

  await checkTroubleshooting(check, eventually);
} finally {
  await services.stopAll();
}

function kind(span: JaegerSpan): string | undefined {
  return span.tags.find((t) => t.key === 'span.kind')?.value as string | undefined;
}

process.exit(failed ? 1 : 0);
