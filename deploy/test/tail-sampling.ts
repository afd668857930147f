// Tail sampling, proven on the local stack (deploy/local/stack.sh, already started by
// deploy/test/run.sh: one load balancer, two samplers, Jaeger, Prometheus). Starts the five built
// services exporting every span, injects faults into product-service (2% errors, 5% of requests
// slower than the latency objective), drives steady load through the gateway, then checks:
//   - every 5xx and every response slower than the objective has its trace in Jaeger, complete
//     (the server spans of the gateway and product-service, every span's parent present);
//   - every kept trace is complete, whichever sampler decided it;
//   - the kept share of the fast, successful requests is within 3 points of
//     OTELCOL_TAIL_SAMPLING_PERCENT;
//   - the span metrics count as many server calls per service as http_requests_total (within 5%),
//     and calls_total equals duration_count for a new series shortly after its first spans;
//   - an exemplar on a latency bucket above the objective opens a kept trace.
// Prints one `ok - ` / `not ok - ` line per check.
//   node deploy/test/tail-sampling.ts <work dir>      (the live checks; ~4 minutes)
//   node deploy/test/tail-sampling.ts --static        (the thresholds against the alert rules)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startServices } from '../../tools/services/launcher.ts';

const repo = join(import.meta.dirname, '..', '..');
const prometheus = 'http://127.0.0.1:9090';
const jaeger = 'http://127.0.0.1:16686';
const spanMetricsUrl = 'http://127.0.0.1:8889/metrics';
/** The local stack's two samplers' own metrics (deploy/local/stack.sh). */
const samplerMetricsUrls = ['http://127.0.0.1:14488/metrics', 'http://127.0.0.1:14489/metrics'];
const samplingPercent = Number(process.env.OTELCOL_TAIL_SAMPLING_PERCENT ?? 10);

let failed = 0;
async function check(name: string, body: () => Promise<string | void>): Promise<void> {
  try {
    const note = await body();
    console.log(`ok - ${name}${note ? ` (${note})` : ''}`);
  } catch (error) {
    failed++;
    console.log(`not ok - ${name}`);
    for (const line of String(error instanceof Error ? error.message : error).split('\n'))
      console.log(`    # ${line}`);
  }
}

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms));

/** The sampler's policies, as the Collector reads them (the env default of each value). */
function policies(): Record<string, any> {
  const config = parse(readFileSync(join(repo, 'deploy/otel-collector/sampler.yaml'), 'utf8'));
  const byName = Object.fromEntries(
    config.processors.tail_sampling.policies.map((p: any) => [p.name, p]),
  );
  return byName;
}

/** The alert expression of a rule file's alert or recording rule, found by a predicate. */
function ruleExpr(file: string, match: (rule: any) => boolean): string {
  const rules = parse(readFileSync(join(repo, 'deploy/prometheus/rules', file), 'utf8'));
  const rule = rules.groups.flatMap((g: any) => g.rules).find(match);
  if (!rule) throw new Error(`no such rule in ${file}`);
  return rule.expr;
}

if (process.argv[2] === '--static') {
  await check(
    'the latency policy keeps traces slower than the objective of rules/slo.yml',
    async () => {
      // The latency SLI counts as good what lands in the bucket le="<objective in s>".
      const expr = ruleExpr(
        'slo.yml',
        (r) => r.record === 'slo:sli_errors:rate5m' && r.labels?.slo === 'latency',
      );
      const objective = /le=~"([0-9.]+)\|/.exec(expr)?.[1];
      if (!objective) throw new Error(`no le="..." bucket in the latency SLI: ${expr}`);
      const thresholdMs = policies()['slower-than-objective'].latency.threshold_ms;
      if (thresholdMs !== Number(objective) * 1000)
        throw new Error(
          `sampler.yaml threshold_ms ${thresholdMs}, the SLO's objective ${objective} s`,
        );
      return `${thresholdMs} ms`;
    },
  );
  await check("a server span over HighLatencyP95's line (rules/services.yml) is kept", async () => {
    const expr = ruleExpr('services.yml', (r) => r.alert === 'HighLatencyP95');
    const line = /\)\s*>\s*([0-9.]+)/.exec(expr)?.[1];
    const condition: string = policies()['slow-operation'].ottl_condition.span.find((c: string) =>
      c.includes('SPAN_KIND_SERVER'),
    );
    const nanos = /> (\d+)$/.exec(condition)?.[1];
    if (!line || !nanos || Number(nanos) !== Number(line) * 1e9)
      throw new Error(`HighLatencyP95 at ${line} s, the server span condition: ${condition}`);
    return `${Number(nanos) / 1e6} ms`;
  });
  process.exit(failed ? 1 : 0);
}

const workDir = process.argv[2];
if (!workDir) {
  console.error('usage: node deploy/test/tail-sampling.ts <work dir> | --static');
  process.exit(2);
}

const objectiveMs = policies()['slower-than-objective'].latency.threshold_ms as number;
const serverSpanCondition: string = policies()['slow-operation'].ottl_condition.span.find(
  (c: string) => c.includes('SPAN_KIND_SERVER'),
);
const serverSpanLineMs = Number(/> (\d+)$/.exec(serverSpanCondition)?.[1]) / 1e6;
const adminToken = 'tail-sampling-admin-token-0123';

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: response.status, body };
}

/** Counter values of a Prometheus text page, by metric name and label filter, summed by one label. */
async function counters(
  url: string,
  metric: string,
  by: string,
  where: (labels: string) => boolean,
) {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text();
  const sums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labels = line.slice(metric.length + 1, line.lastIndexOf('}'));
    if (!where(labels)) continue;
    const key = new RegExp(`${by}="([^"]*)"`).exec(labels)?.[1] ?? '';
    sums[key] =
      (sums[key] ?? 0) +
      Number(
        line
          .slice(line.lastIndexOf('}') + 1)
          .trim()
          .split(' ')[0],
      );
  }
  return sums;
}

interface JaegerSpan {
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
  processID: string;
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

async function jaegerTrace(traceId: string): Promise<JaegerTrace | undefined> {
  const { status, body } = await json(`${jaeger}/api/traces/${traceId}`);
  if (status === 404) return undefined;
  if (status !== 200) throw new Error(`GET /api/traces/${traceId}: ${status}`);
  return body?.data?.[0];
}

/** What is missing from a kept trace of GET /api/products/:id, or '' when it is complete. */
function incompleteness(trace: JaegerTrace): string {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const service = (s: JaegerSpan) => trace.processes[s.processID]?.serviceName;
  const kind = (s: JaegerSpan) => s.tags.find((t) => t.key === 'span.kind')?.value;
  const servers = new Set(trace.spans.filter((s) => kind(s) === 'server').map(service));
  const missing = ['api-gateway', 'product-service'].filter((name) => !servers.has(name));
  if (missing.length) return `no server span of ${missing.join(', ')}`;
  const orphans = trace.spans.filter((s) =>
    s.references.some((r) => r.refType === 'CHILD_OF' && !ids.has(r.spanID)),
  );
  return orphans.length
    ? `${orphans.length} spans whose parent is missing, e.g. ${service(orphans[0])} ${orphans[0].operationName}`
    : '';
}

interface Sent {
  traceId: string;
  status: number;
  ms: number;
}

const services = await startServices({
  dataDir: join(workDir, 'services-data'),
  logDir: join(workDir, 'services-logs'),
  env: {
    JWT_SECRET: 'tail-sampling-secret-0123456789',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    // As every configuration that deploys the project's Collector: record and export every span.
    OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    FAULT_INJECTION: 'enabled',
    ADMIN_TOKEN: adminToken,
  },
  readyTimeoutMs: 180_000,
}).catch((error) => {
  console.log('not ok - the five built services start with OTLP to the Collector');
  console.log(`    # ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});

const gateway = services.urls['api-gateway'];
const product = services.urls['product-service'];

try {
  const { body: page } = await json(`${gateway}/api/products?limit=20`);
  const productIds: string[] = page.items.map((p: { id: string }) => p.id);

  await check(
    'calls_total equals duration_count of a new span-metrics series 20 s after its first spans',
    async () => {
      // GET /api/agents is served by the gateway alone; no other check calls it before.
      for (let i = 0; i < 20; i++) await (await fetch(`${gateway}/api/agents`)).text();
      await sleep(20_000); // the services' batch delay (5 s), the Collector's batch (2 s), two flushes (5 s), margin
      const where = (l: string) =>
        l.includes('service_name="api-gateway"') &&
        l.includes('span_kind="SPAN_KIND_SERVER"') &&
        l.includes('span_name="GET /api/agents"');
      const calls = await counters(
        spanMetricsUrl,
        'traces_span_metrics_calls_total',
        'span_name',
        where,
      );
      const count = await counters(
        spanMetricsUrl,
        'traces_span_metrics_duration_milliseconds_count',
        'span_name',
        where,
      );
      const [c, d] = [calls['GET /api/agents'], count['GET /api/agents']];
      if (!(c >= 20) || c !== d)
        throw new Error(`calls_total ${c}, duration_count ${d}, requests sent 20`);
      return `${c} = ${d}`;
    },
  );

  const inject = (fault: Record<string, unknown>) =>
    json(`${product}/admin/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ route: '/products', ttlSeconds: 300, ...fault }),
    }).then(({ status, body }) => {
      if (status !== 201 && status !== 200)
        throw new Error(`inject: ${status} ${JSON.stringify(body)}`);
    });
  await inject({ kind: 'error-rate', rate: 0.02, statusCode: 500 });
  await inject({ kind: 'latency', rate: 0.05, delayMs: objectiveMs + 500 });

  const before = {
    requests: await counters(`${gateway}/metrics`, 'http_requests_total', 'service', () => true),
    productRequests: await counters(
      `${product}/metrics`,
      'http_requests_total',
      'service',
      () => true,
    ),
    calls: await counters(spanMetricsUrl, 'traces_span_metrics_calls_total', 'service_name', (l) =>
      l.includes('span_kind="SPAN_KIND_SERVER"'),
    ),
  };

  // Steady load: 12 requests a second for 75 s, each awaited (no queue builds up).
  const sent: Sent[] = [];
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; Date.now() - started < 75_000; i++) {
    const at = started + i * (1000 / 12);
    if (at > Date.now()) await sleep(at - Date.now());
    const id = productIds[i % productIds.length];
    inFlight.push(
      (async () => {
        const t0 = performance.now();
        const response = await fetch(`${gateway}/api/products/${id}`, {
          signal: AbortSignal.timeout(20_000),
        });
        await response.text();
        sent.push({
          traceId: response.headers.get('x-trace-id') ?? '',
          status: response.status,
          ms: performance.now() - t0,
        });
      })().catch(() => {}),
    );
  }
  await Promise.all(inFlight);
  // The last decisions: batch delay 5 s + the first tier's batch 2 s + decision_wait 10 s + export.
  await sleep(25_000);

  const failedOrSlow = sent.filter((s) => s.status >= 500 || s.ms > objectiveMs);
  // Fast: under the server-span line of the slow-operation policy too, so only the percentage
  // policy decides on them.
  const fastOk = sent.filter((s) => s.status < 400 && s.ms <= serverSpanLineMs);
  const summary = `${sent.length} requests: ${sent.filter((s) => s.status >= 500).length} 5xx, ${sent.filter((s) => s.ms > objectiveMs).length} slower than ${objectiveMs} ms, ${fastOk.length} fast (under ${serverSpanLineMs} ms) and successful`;
  console.log(`# ${summary}`);

  const kept = new Map<string, JaegerTrace>();
  for (const s of sent) {
    if (!/^[0-9a-f]{32}$/.test(s.traceId)) continue;
    const trace = await jaegerTrace(s.traceId);
    if (trace) kept.set(s.traceId, trace);
  }

  const sizes = [...kept.values()].map((t) => t.spans.length).sort((a, b) => a - b);
  console.log(`# ${kept.size} traces kept, median ${sizes[sizes.length >> 1]} spans each`);

  await check(
    'every 5xx and every response slower than the objective has its complete trace in Jaeger',
    async () => {
      if (failedOrSlow.length < 10)
        throw new Error(`too few failed or slow requests to judge: ${summary}`);
      const problems = failedOrSlow.flatMap((s) => {
        const trace = kept.get(s.traceId);
        if (!trace) return [`${s.traceId} (${s.status}, ${Math.round(s.ms)} ms): not in Jaeger`];
        const missing = incompleteness(trace);
        return missing ? [`${s.traceId} (${s.status}, ${Math.round(s.ms)} ms): ${missing}`] : [];
      });
      if (problems.length) throw new Error(problems.slice(0, 20).join('\n'));
      return `${failedOrSlow.length} of ${failedOrSlow.length}`;
    },
  );

  await check('every kept trace is complete, the traces spread over both samplers', async () => {
    const problems = [...kept].flatMap(([id, trace]) => {
      const missing = incompleteness(trace);
      return missing ? [`${id}: ${missing}`] : [];
    });
    const perSampler = [];
    for (const url of samplerMetricsUrls) {
      const accepted = await counters(
        url,
        'otelcol_receiver_accepted_spans_total',
        'receiver',
        () => true,
      );
      perSampler.push(accepted.otlp ?? 0);
    }
    if (perSampler.some((spans) => !(spans > 0)))
      problems.push(`spans accepted per sampler: ${perSampler.join(', ')}`);
    if (problems.length) throw new Error(problems.slice(0, 20).join('\n'));
    return `${kept.size} traces; spans per sampler ${perSampler.join(' / ')}`;
  });

  await check(
    `the kept share of fast, successful requests is within 3 points of ${samplingPercent}%`,
    async () => {
      const share = (100 * fastOk.filter((s) => kept.has(s.traceId)).length) / fastOk.length;
      if (fastOk.length < 300 || Math.abs(share - samplingPercent) > 3)
        throw new Error(`${share.toFixed(1)}% of ${fastOk.length} fast, successful requests kept`);
      return `${share.toFixed(1)}% of ${fastOk.length}`;
    },
  );

  await check(
    'span metrics count every server call: per service within 5% of http_requests_total',
    async () => {
      const after = {
        requests: await counters(
          `${gateway}/metrics`,
          'http_requests_total',
          'service',
          () => true,
        ),
        productRequests: await counters(
          `${product}/metrics`,
          'http_requests_total',
          'service',
          () => true,
        ),
        calls: await counters(
          spanMetricsUrl,
          'traces_span_metrics_calls_total',
          'service_name',
          (l) => l.includes('span_kind="SPAN_KIND_SERVER"'),
        ),
      };
      const delta = (a: Record<string, number>, b: Record<string, number>, k: string) =>
        (a[k] ?? 0) - (b[k] ?? 0);
      const pairs = {
        'api-gateway': [
          delta(after.calls, before.calls, 'api-gateway'),
          delta(after.requests, before.requests, 'api-gateway'),
        ],
        'product-service': [
          delta(after.calls, before.calls, 'product-service'),
          delta(after.productRequests, before.productRequests, 'product-service'),
        ],
      };
      const notes = Object.entries(pairs).map(
        ([name, [calls, requests]]) => `${name} ${calls} calls / ${requests} requests`,
      );
      const off = Object.entries(pairs).filter(
        ([, [calls, requests]]) => !(requests > 0) || Math.abs(calls - requests) / requests > 0.05,
      );
      if (off.length) throw new Error(notes.join('; '));
      return notes.join('; ');
    },
  );

  await check(
    'an exemplar on a latency bucket above the objective opens a kept trace',
    async () => {
      const now = Date.now() / 1000;
      const query = encodeURIComponent(
        'http_request_duration_seconds_bucket{service="api-gateway"}',
      );
      const { body } = await json(
        `${prometheus}/api/v1/query_exemplars?query=${query}&start=${now - 300}&end=${now}`,
      );
      const slow = (body?.data ?? [])
        .flatMap((series: any) => series.exemplars)
        .filter((e: any) => Number(e.value) * 1000 > objectiveMs && e.labels?.trace_id);
      if (!slow.length)
        throw new Error('no exemplar above the objective among the gateway buckets');
      const missing = [];
      for (const e of slow)
        if (!(await jaegerTrace(e.labels.trace_id))) missing.push(e.labels.trace_id);
      if (missing.length)
        throw new Error(`exemplars whose trace is not in Jaeger: ${missing.join(', ')}`);
      return `${slow.length} exemplars`;
    },
  );
} finally {
  await services.stopAll();
}

process.exit(failed ? 1 : 0);
