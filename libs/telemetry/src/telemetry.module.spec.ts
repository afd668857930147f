import {
  Body,
  Controller,
  Get,
  type INestApplication,
  Module,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request } from 'express';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { useRequestTelemetry } from './http/request-telemetry';
import { setRequestUser } from './http/request-user';
import { TelemetryModule } from './telemetry.module';

// A tiny service on the real module, built as service-kit's runService builds one
// (the request telemetry ahead of the body parser) and served over real HTTP; its
// log lines go to an array instead of stdout. Spans are proven end to end (e2e/):
// under Jest's module registry the instrumentations cannot patch node:http.

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';

const lines: Record<string, unknown>[] = [];
const logOutput = {
  write(chunk: string) {
    for (const line of chunk.split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  },
  flushSync: () => undefined,
};

/** Lets a test hold a request open while it looks at the in-flight gauge. */
let releaseHeld: () => void = () => undefined;

@Controller()
class ItemsController {
  constructor(@InjectPinoLogger('ItemsController') private readonly logger: PinoLogger) {}

  @Get('items/:id')
  get(@Param('id') id: string) {
    return { id };
  }

  @Get('held')
  async held() {
    await new Promise<void>((resolve) => (releaseHeld = resolve));
    return { released: true };
  }

  @Get('broken')
  broken() {
    throw new Error('boom');
  }

  /** Acts for a user, as the gateway's guard or service-kit's caller-id decorator records one. */
  @Get('me')
  me(@Req() request: Request) {
    setRequestUser(request, 'user-42');
    return { id: 'user-42' };
  }

  @Get('failing-job')
  failingJob() {
    this.logger.error(new TypeError('the job failed'));
    return { logged: true };
  }

  /** Logs carelessly: the whole request and the credentials it was sent. */
  @Post('sessions')
  login(@Req() request: Request, @Body() credentials: { email: string; password: string }) {
    this.logger.info({ req: request, credentials }, 'login attempt');
    this.logger.info({ headers: request.headers, token: 'eyJ.secret.token' }, 'headers seen');
    // Secrets in child-logger bindings, which pino formats apart from a line's own fields.
    this.logger.assign({
      session: { token: 'eyJ.bound.token', user: { password: credentials.password } },
    });
    this.logger.logger.child({ login: { cookie: 'session=bound' } }).info('child logger');
    this.logger.info('after assign');
    return { ok: true };
  }

  /** Stands in for the health endpoints service-kit adds. */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }
}

@Module({
  imports: [TelemetryModule.forRoot({ serviceName: 'test-service', logOutput })],
  controllers: [ItemsController],
})
class TestAppModule {}

async function startApp(): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create<NestExpressApplication>(TestAppModule, {
    logger: false,
    bodyParser: false,
  });
  useRequestTelemetry(app);
  app.useBodyParser('json');
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

  beforeEach(() => {
    lines.length = 0;
  });

  async function scrape(accept?: string): Promise<Sample[]> {
    const response = await get('/metrics', accept ? { accept } : {});
    expect(response.status).toBe(200);
    return parseExposition(await response.text());
  }

  /** Waits for the request lines written once responses have finished. */
  async function requestLines(count = 1): Promise<Record<string, unknown>[]> {
    let found: Record<string, unknown>[] = [];
    await waitFor(async () => {
      found = lines.filter((line) => 'status_code' in line);
      return found.length >= count;
    });
    return found;
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

    it.each([
      ['a malformed JSON body', '{"email":', 400],
      ['a body over the size limit', JSON.stringify({ pad: 'x'.repeat(200_000) }), 413],
    ])('counts and logs %s, which the body parser rejects', async (_name, body, status) => {
      const labels = { method: 'POST', route: 'unmatched', status_code: String(status) };
      const before = value(await scrape(), 'http_requests_total', labels);

      const response = await fetch(`${baseUrl}/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(status);

      expect(value(await scrape(), 'http_requests_total', labels)).toBe(before + 1);
      const [line] = await requestLines();
      expect(line).toMatchObject({ method: 'POST', route: 'unmatched', status_code: status });
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

    it('exports event-loop utilisation since the previous scrape, between 0 and 1', async () => {
      await scrape();
      // Keep the loop busy for a moment, so the share since that scrape is above zero.
      const busyUntil = performance.now() + 50;
      while (performance.now() < busyUntil);
      const samples = (await scrape()).filter(
        (sample) => sample.name === 'nodejs_eventloop_utilization_ratio',
      );
      expect(samples).toHaveLength(1);
      expect(samples[0].labels).toEqual({ service: 'test-service' });
      expect(samples[0].value).toBeGreaterThan(0);
      expect(samples[0].value).toBeLessThanOrEqual(1);
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
  });

  describe('request lines', () => {
    it('writes one JSON line per request with the contract fields', async () => {
      await get('/items/42');

      const [line] = await requestLines();
      expect(line).toMatchObject({
        level: 'info',
        service: 'test-service',
        method: 'GET',
        route: '/items/:id',
        status_code: 200,
        msg: 'request completed',
      });
      expect(typeof line.duration_ms).toBe('number');
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // The raw request and response objects stay out of the line.
      expect(line).not.toHaveProperty('req');
      expect(line).not.toHaveProperty('res');
    });

    it('logs client errors as warn and server errors as error, unknown paths as unmatched', async () => {
      await get('/no/such/path');
      expect((await requestLines())[0]).toMatchObject({
        level: 'warn',
        route: 'unmatched',
        status_code: 404,
        msg: 'request completed',
      });

      lines.length = 0;
      await get('/broken');
      expect((await requestLines())[0]).toMatchObject({
        level: 'error',
        route: '/broken',
        status_code: 500,
        msg: 'request failed',
      });
    });

    it('gives the path without its query string beside the route', async () => {
      await get('/items/7?q=secret-ish&token=query-secret');

      const [line] = await requestLines();
      expect(line).toMatchObject({ route: '/items/:id', path: '/items/7' });
    });

    it('says where a body the parser rejected was sent, though no route matched', async () => {
      const response = await fetch(`${baseUrl}/sessions?x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"email":',
      });
      expect(response.status).toBe(400);

      const [line] = await requestLines();
      expect(line).toMatchObject({
        method: 'POST',
        route: 'unmatched',
        path: '/sessions',
        status_code: 400,
      });
    });

    it('carries user.id on the line of a request that acts for a user, and only there', async () => {
      await get('/me');
      await get('/items/1');

      const found = await requestLines(2);
      expect(found.find((line) => line.route === '/me')).toMatchObject({ 'user.id': 'user-42' });
      expect(found.find((line) => line.route === '/items/:id')).not.toHaveProperty('user.id');
    });

    it('logs an error as a structured err with type, message and stack', async () => {
      await get('/failing-job');
      await requestLines();

      const line = lines.find((entry) => entry.level === 'error' && 'err' in entry);
      expect(line).toMatchObject({
        msg: 'the job failed',
        err: { type: 'TypeError', message: 'the job failed' },
      });
      const err = line!.err as Record<string, unknown>;
      expect(Object.keys(err).sort()).toEqual(['message', 'stack', 'type']);
      expect(err.stack).toMatch(/^TypeError: the job failed\n {4}at /);
    });

    it('does not log health checks or scrapes', async () => {
      await get('/health/live');
      await get('/metrics');
      await get('/items/1');

      const found = await requestLines();
      expect(found.map((line) => line.route)).toEqual(['/items/:id']);
    });

    it('redacts authorization headers, cookies, passwords and tokens wherever they are logged', async () => {
      const secrets = ['Bearer eyJ.user.token', 'session=abc123', 'hunter2-password', 'eyJ.secret'];
      await fetch(`${baseUrl}/sessions?token=query-secret`, {
        method: 'POST',
        headers: {
          authorization: secrets[0],
          cookie: secrets[1],
          'content-type': 'application/json',
        },
        body: JSON.stringify({ email: 'ada@example.com', password: secrets[2] }),
      });
      await requestLines();

      expect(lines.find((line) => line.msg === 'login attempt')).toMatchObject({
        level: 'info',
        service: 'test-service',
        credentials: { email: 'ada@example.com', password: '[redacted]' },
        req: { method: 'POST', url: '/sessions' },
      });
      expect(lines.find((line) => line.msg === 'headers seen')).toMatchObject({
        headers: { authorization: '[redacted]', cookie: '[redacted]' },
        token: '[redacted]',
      });
      expect(lines.find((line) => line.msg === 'child logger')).toMatchObject({
        login: { cookie: '[redacted]' },
        session: { token: '[redacted]', user: { password: '[redacted]' } },
      });
      expect(lines.find((line) => line.msg === 'after assign')).toMatchObject({
        session: { token: '[redacted]', user: { password: '[redacted]' } },
      });
      expect(JSON.stringify(lines)).not.toMatch(
        new RegExp([...secrets, 'eyJ.bound.token', 'session=bound', 'query-secret'].join('|')),
      );
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
