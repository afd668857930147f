// First, as a service's preload: the SDK starts before Nest and node:http load.
import { startInMemoryTelemetry } from './testing/in-memory-telemetry';

const { exporter, flush } = startInMemoryTelemetry('test-service');
import { Controller, Get, type INestApplication, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { TelemetryModule } from './telemetry.module';

// A tiny service built on the real module, served over real HTTP; spans come
// from the real SDK through an in-memory exporter.

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';

/** Lets a test hold a request open while it looks at the in-flight gauge. */
let releaseHeld: () => void = () => undefined;

@Controller()
class ItemsController {
  @Get('items/:id')
  get(@Param('id') id: string) {
    return { id };
  }

  @Get('quiet')
  quiet() {
    return { ok: true };
  }

  @Get('held')
  async held() {
    await new Promise<void>((resolve) => (releaseHeld = resolve));
    return { released: true };
  }

  /** Stands in for the health endpoints service-kit adds. */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }
}

@Module({
  imports: [TelemetryModule.forRoot({ serviceName: 'test-service', logLevel: 'silent' })],
  controllers: [ItemsController],
})
class TestAppModule {}

async function startApp(): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(TestAppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('TelemetryModule in a running app', () => {
  let app: INestApplication;
  let baseUrl: string;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}${path}`, { headers });

  beforeAll(async () => {
    ({ app, url: baseUrl } = await startApp());
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => exporter.reset());

  /** A GET carrying the caller's traceparent; fetch is not instrumented, so it carries no other. */
  async function getWithTraceparent(path: string, traceparent: string) {
    const response = await fetch(`${baseUrl}${path}`, { headers: { traceparent } });
    await response.arrayBuffer();
    return { status: response.status, traceId: response.headers.get('x-trace-id') ?? undefined };
  }

  async function scrape(accept?: string): Promise<Sample[]> {
    const response = await get('/metrics', accept ? { accept } : {});
    expect(response.status).toBe(200);
    return parseExposition(await response.text());
  }

  describe('RED metrics', () => {
    it('counts requests by method, route template and status code, labelled with the service', async () => {
      const labels = {
        method: 'GET',
        route: '/items/:id',
        status_code: '200',
        service: 'test-service',
      };
      const before = await scrape();
      const count = (samples: Sample[]) => value(samples, 'http_requests_total', labels);
      const observed = (samples: Sample[]) =>
        value(samples, 'http_request_duration_seconds_count', labels);

      for (const id of ['1', '2', 'abc']) expect((await get(`/items/${id}`)).status).toBe(200);

      const after = await scrape();
      expect(count(after) - count(before)).toBe(3);
      expect(observed(after) - observed(before)).toBe(3);
      expect(
        series(after, 'http_requests_total').map((sample) => sample.labels.route),
      ).not.toContain('/items/1');
      // The histogram has the SLO's buckets, up to +Inf.
      const buckets = series(after, 'http_request_duration_seconds_bucket').filter(
        (sample) => sample.labels.route === '/items/:id',
      );
      expect(buckets.map((sample) => sample.labels.le)).toEqual(
        expect.arrayContaining(['0.5', '1', '+Inf']),
      );
    });

    it('counts every unknown path under route="unmatched", adding no series', async () => {
      await get('/not/a/route');
      const before = await scrape();

      for (const path of ['/wp-admin', '/.env', '/items', `/random/${Date.now()}`]) {
        expect((await get(path)).status).toBe(404);
      }

      const after = await scrape();
      const unmatched = { method: 'GET', route: 'unmatched', status_code: '404' };
      expect(value(after, 'http_requests_total', unmatched)).toBe(
        value(before, 'http_requests_total', unmatched) + 4,
      );
      expect(series(after, 'http_requests_total')).toHaveLength(
        series(before, 'http_requests_total').length,
      );
    });

    it('leaves /metrics and /health out of the request metrics', async () => {
      await get('/health/live');
      const before = await scrape();

      await get('/health/live');
      await get('/metrics');
      const after = await scrape();

      expect(totalRequests(after)).toBe(totalRequests(before));
      const routes = series(after, 'http_requests_total').map((sample) => sample.labels.route);
      expect(routes).not.toContain('/health/live');
      expect(routes).not.toContain('/metrics');
    });

    it('shows the requests being served in http_requests_in_flight', async () => {
      const inFlight = async () =>
        value(await scrape(), 'http_requests_in_flight', { service: 'test-service' });
      expect(await inFlight()).toBe(0);

      const held = get('/held');
      await waitFor(async () => (await inFlight()) === 1);
      releaseHeld();
      expect((await held).status).toBe(200);

      await waitFor(async () => (await inFlight()) === 0);
    });
  });

  describe('/metrics formats', () => {
    it('answers Prometheus text unless the scraper asks for OpenMetrics', async () => {
      const response = await get('/metrics');
      expect(response.headers.get('content-type')).toMatch(/^text\/plain;.* version=0\.0\.4/);
      const body = await response.text();
      expect(body).toContain('# TYPE http_requests_total counter');
      expect(body).not.toContain('# EOF');
      // Runtime metrics come along, labelled with the service too.
      expect(body).toMatch(/^process_resident_memory_bytes\{service="test-service"\} \d+/m);
    });

    it('answers OpenMetrics, ending with # EOF, when the Accept header asks for it', async () => {
      await get('/items/1');
      const response = await get('/metrics', { accept: OPENMETRICS });

      expect(response.headers.get('content-type')).toMatch(
        /^application\/openmetrics-text;.* version=1\.0\.0/,
      );
      const body = await response.text();
      expect(body.endsWith('# EOF\n')).toBe(true);
      // OpenMetrics names the counter family without _total, and its samples with it.
      expect(body).toContain('# TYPE http_requests counter');
      expect(body).toMatch(/^http_requests_total\{.*route="\/items\/:id"/m);
      expect(body).not.toMatch(/^http_requests\{/m);
    });

    it('keeps _total on counters in Prometheus text after an OpenMetrics scrape', async () => {
      await get('/items/1');
      await get('/metrics', { accept: OPENMETRICS });
      await get('/metrics', { accept: OPENMETRICS });

      const body = await (await get('/metrics')).text();
      expect(body).toContain('# TYPE http_requests_total counter');
      expect(body).toMatch(/^http_requests_total\{.*route="\/items\/:id"/m);
      expect(body).not.toMatch(/^http_requests\{/m);
    });

    it('attaches the sampled trace to the latency histogram as an exemplar, in OpenMetrics only', async () => {
      const response = await get('/items/42');
      const traceId = response.headers.get('x-trace-id');
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);

      const exemplars = series(await scrape(OPENMETRICS), 'http_request_duration_seconds_bucket')
        .filter((sample) => sample.labels.route === '/items/:id')
        .map((sample) => sample.exemplar)
        .filter(Boolean);
      expect(exemplars).toContainEqual({ trace_id: traceId });

      const text = await (await get('/metrics')).text();
      expect(text).not.toContain('trace_id');
    });

    it('adds no exemplar for a request whose trace the caller chose not to sample', async () => {
      const unsampled = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
      const response = await getWithTraceparent('/quiet', unsampled);
      expect(response.status).toBe(200);
      expect(response.traceId).toBe('0af7651916cd43dd8448eb211c80319c');

      const buckets = series(
        await scrape(OPENMETRICS),
        'http_request_duration_seconds_bucket',
      ).filter((sample) => sample.labels.route === '/quiet');
      expect(buckets.length).toBeGreaterThan(0);
      for (const bucket of buckets) expect(bucket.exemplar).toBeUndefined();
    });
  });

  describe('trace id header', () => {
    it('returns the trace id of the exported server span, named after the route, in x-trace-id', async () => {
      const response = await get('/items/7');
      const traceId = response.headers.get('x-trace-id');

      const server = (await spansOf(traceId!)).filter((span) => span.kind === SpanKind.SERVER);
      expect(server).toHaveLength(1);
      expect(server[0].name).toBe('GET /items/:id');
      expect(server[0].attributes['http.route']).toBe('/items/:id');
    });

    it('continues the caller’s trace when a traceparent is sent', async () => {
      const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
      const response = await getWithTraceparent(
        '/items/8',
        `00-${callerTrace}-00f067aa0ba902b7-01`,
      );

      expect(response.traceId).toBe(callerTrace);
      const [server] = (await spansOf(callerTrace)).filter((span) => span.kind === SpanKind.SERVER);
      expect(server.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    });

    it('records nothing for a caller whose trace is not sampled, and still continues its trace', async () => {
      const callerTrace = '5bf92f3577b34da6a3ce929d0e0e4736';
      const response = await getWithTraceparent(
        '/items/9',
        `00-${callerTrace}-00f067aa0ba902b7-00`,
      );

      expect(response.traceId).toBe(callerTrace);
      await flush();
      const inTrace = exporter
        .getFinishedSpans()
        .filter((span) => span.spanContext().traceId === callerTrace);
      expect(inTrace).toEqual([]);
    });
  });

  describe('a second app in the same process', () => {
    let second: INestApplication | undefined;

    afterAll(async () => {
      await second?.close();
    });

    it('starts without registering any metric twice, and both serve the shared registry', async () => {
      // Building the module again would throw here if a metric were registered twice.
      const { app, url } = await startApp();
      second = app;

      expect((await fetch(`${url}/items/1`)).status).toBe(200);
      const body = await (await fetch(`${url}/metrics`)).text();
      expect(body.match(/^# TYPE http_requests_total counter$/gm)).toHaveLength(1);
      expect(body.match(/^# TYPE process_cpu_seconds_total counter$/gm)).toHaveLength(1);
      expect((await get('/metrics')).status).toBe(200);
    });
  });
});

/** The finished spans of one trace, once the server span has been exported. */
async function spansOf(traceId: string): Promise<ReadableSpan[]> {
  let spans: ReadableSpan[] = [];
  await waitFor(async () => {
    await flush();
    spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    return spans.some((span) => span.kind === SpanKind.SERVER);
  });
  return spans;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar?: Record<string, string>;
}

/** The samples of a Prometheus text or OpenMetrics exposition, with any exemplar. */
function parseExposition(text: string): Sample[] {
  const line = /^([a-zA-Z_:][\w:]*)(?:\{(.*?)\})? (\S+)(?: # \{(.*?)\} \S+(?: \S+)?)?$/;
  return text
    .split('\n')
    .filter((row) => row !== '' && !row.startsWith('#'))
    .map((row) => {
      const match = line.exec(row);
      if (!match) throw new Error(`unparsable exposition line: ${row}`);
      const [, name, labels, sampleValue, exemplar] = match;
      return {
        name,
        labels: parseLabels(labels),
        value: Number(sampleValue),
        ...(exemplar === undefined ? {} : { exemplar: parseLabels(exemplar) }),
      };
    });
}

function parseLabels(text = ''): Record<string, string> {
  return Object.fromEntries(
    [...text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]),
  );
}

function series(samples: Sample[], name: string): Sample[] {
  return samples.filter((sample) => sample.name === name);
}

/** The value of the one sample of `name` carrying `labels`; 0 when there is none yet. */
function value(samples: Sample[], name: string, labels: Record<string, string>): number {
  const matching = series(samples, name).filter((sample) =>
    Object.entries(labels).every(([key, expected]) => sample.labels[key] === expected),
  );
  expect(matching.length).toBeLessThanOrEqual(1);
  return matching[0]?.value ?? 0;
}

function totalRequests(samples: Sample[]): number {
  return series(samples, 'http_requests_total').reduce((sum, sample) => sum + sample.value, 0);
}
