// End-to-end proofs of what the standard instrumentations give every service:
// a server span, a metric increment and a request line for requests that never
// reach a handler; client spans for fetch and node:http calls with no tracing
// code; the exception on a 5xx; express, Nest and pg spans when switched on.
// The pg spans need a PostgreSQL server: E2E_POSTGRES_URL names one (CI's e2e-postgres step,
// through tools/postgres/postgres.sh); unset, PGlite serves the wire protocol through
// @electric-sql/pglite-socket, so `npm test` needs nothing beyond npm.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, type ServiceName } from '../../tools/services/launcher.ts';
import type { ReceivedSpan } from './support/otlp-receiver.ts';
import { call, eventually, startTestStack, type TestStack } from './support/stack.ts';

const SERVER = 2;
const CLIENT = 3;
// node-postgres opens up to this many connections (the pool size in libs/service-kit's
// openDatabase); the socket server accepts a single one unless told otherwise.
const POOL_SIZE = 10;

let stack: TestStack;
let gateway: string;
/** The PostgreSQL server product-service is moved to; started here unless E2E_POSTGRES_URL names one. */
let postgresUrl: string;
let pglite: { db: PGlite; server: PGLiteSocketServer } | undefined;

before(async () => {
  postgresUrl = process.env.E2E_POSTGRES_URL ?? (await startPgliteServer());
  stack = await startTestStack();
  gateway = stack.gateway;
});

after(async () => {
  await stack?.stop();
  await pglite?.server.stop();
  await pglite?.db.close();
});

/** A fresh sampled (or unsampled) W3C trace context, as a caller would send it. */
function traceContext(sampled = true) {
  const traceId = randomBytes(16).toString('hex');
  const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-${sampled ? '01' : '00'}`;
  return { traceId, traceparent };
}

function spansOf(traceId: string): ReceivedSpan[] {
  return stack.receiver.spans.filter((span) => span.traceId === traceId);
}

/** The value of one `http_requests_total` series at the gateway; 0 before its first request. */
async function requestsTotal(labels: { method: string; route: string; status_code: string }) {
  const text = (await call(gateway, 'GET', '/metrics')).body as string;
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find(
      (row) => row.startsWith('http_requests_total{') && wanted.every((pair) => row.includes(pair)),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('requests that never reach a handler', () => {
  const cases = [
    {
      name: 'a malformed JSON body',
      method: 'POST',
      path: '/api/auth/login',
      body: '{"email":',
      status: 400,
    },
    {
      name: 'a body over the size limit',
      method: 'POST',
      path: '/api/auth/login',
      body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(200_000) }),
      status: 413,
    },
    {
      name: 'an unknown route',
      method: 'GET',
      path: '/api/no-such-route?probe=1&token=query-secret',
      status: 404,
    },
  ];

  for (const { name, method, path, body, status } of cases) {
    test(`${name} leaves a server span, a metric increment and a request line`, async () => {
      const labels = { method, route: 'unmatched', status_code: String(status) };
      const before = await requestsTotal(labels);
      const { traceId, traceparent } = traceContext();

      const response = await fetch(gateway + path, {
        method,
        headers: {
          traceparent,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body,
      });
      assert.equal(response.status, status);
      assert.deepEqual(Object.keys(await response.json()).sort(), [
        'error',
        'message',
        'statusCode',
      ]);
      assert.equal(response.headers.get('x-trace-id'), traceId);

      const server = await eventually(() =>
        spansOf(traceId).find((span) => span.kind === SERVER && span.service === 'api-gateway'),
      );
      assert.equal(server.name, method, 'no route matched: the span keeps the method alone');
      assert.equal(server.attributes['http.response.status_code'], status);
      // The conditionally required HTTP attributes, as the instrumentation sets them.
      // A credential in the query string is redacted.
      const [urlPath, urlQuery] = path.split('?');
      assert.equal(server.attributes['url.path'], urlPath);
      assert.equal(server.attributes['url.query'], urlQuery?.replace('query-secret', 'REDACTED'));
      assert.equal(server.attributes['url.scheme'], 'http');
      assert.equal(server.attributes['server.port'], Number(new URL(gateway).port));
      assert.equal(server.attributes['http.route'], undefined);

      assert.equal(await requestsTotal(labels), before + 1);

      const line = await eventually(() =>
        stack
          .logLines('api-gateway')
          .find((entry) => entry.trace_id === traceId && entry.msg === 'request completed'),
      );
      assert.deepEqual(
        {
          method: line.method,
          route: line.route,
          path: line.path,
          status_code: line.status_code,
          level: line.level,
        },
        // `path` says where it was sent, without the query string.
        { method, route: 'unmatched', path: urlPath, status_code: status, level: 'warn' },
      );
      assert.equal(line.span_id, server.spanId);
      assert.equal(typeof line.duration_ms, 'number');
    });
  }

  test('a request a guard refuses keeps its route on the metric and the request line', async () => {
    // Express matched the route, Nest's guard answered before any interceptor: the span is
    // named by the method alone (ServerSpanInterceptor never ran), the route is still known.
    const labels = { method: 'GET', route: '/api/orders', status_code: '401' };
    const before = await requestsTotal(labels);
    const { traceId, traceparent } = traceContext();

    const response = await fetch(`${gateway}/api/orders`, { headers: { traceparent } });
    assert.equal(response.status, 401);

    const server = await eventually(() =>
      spansOf(traceId).find((span) => span.kind === SERVER && span.service === 'api-gateway'),
    );
    assert.equal(server.name, 'GET');
    assert.equal(server.attributes['http.route'], undefined);
    assert.equal(server.attributes['http.response.status_code'], 401);
    assert.equal(await requestsTotal(labels), before + 1);
    const line = await eventually(() =>
      stack
        .logLines('api-gateway')
        .find((entry) => entry.trace_id === traceId && entry.msg === 'request completed'),
    );
    assert.equal(line.route, '/api/orders');
    assert.equal(line.status_code, 401);
  });
});

describe('outgoing calls', () => {
  let caller: ChildProcess | undefined;

  after(async () => {
    if (caller && caller.exitCode === null) {
      caller.kill('SIGTERM');
      await once(caller, 'exit');
    }
  });

  test('global fetch and node:http calls made with no tracing code are client spans the callee continues', async () => {
    const port = 18090;
    caller = spawn(
      process.execPath,
      [
        '--require',
        join(repoRoot(), 'dist/apps/api-gateway/instrumentation.js'),
        join(import.meta.dirname, 'fixtures/plain-caller.cjs'),
      ],
      {
        env: {
          ...process.env,
          PORT: String(port),
          TARGET_URL: stack.services.urls['product-service'],
          OTEL_SERVICE_NAME: 'plain-caller',
          OTEL_EXPORTER_OTLP_ENDPOINT: stack.receiver.endpoint,
          OTEL_TRACES_SAMPLER: 'parentbased_always_on',
          OTEL_BSP_SCHEDULE_DELAY: '100',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await once(caller.stdout!, 'data');

    const { traceId, traceparent } = traceContext();
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { traceparent } });
    assert.deepEqual(await response.json(), { viaFetch: 200, viaNodeHttp: 200 });

    // The caller's spans and the callee's arrive from two processes, in either order.
    const spans = await eventually(() => {
      const inTrace = spansOf(traceId);
      const count = (service: string, kind: number) =>
        inTrace.filter((span) => span.service === service && span.kind === kind).length;
      return (
        count('plain-caller', CLIENT) === 2 && count('product-service', SERVER) === 2 && inTrace
      );
    });
    const clients = spans.filter((span) => span.service === 'plain-caller' && span.kind === CLIENT);
    assert.deepEqual(clients.map((span) => span.scope).sort(), [
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-undici',
    ]);
    const callerServer = spans.find(
      (span) => span.service === 'plain-caller' && span.kind === SERVER,
    )!;
    for (const client of clients) {
      assert.equal(client.parentSpanId, callerServer.spanId);
      assert.equal(client.attributes['http.request.method'], 'GET');
      assert.equal(client.attributes['http.response.status_code'], 200);
    }
    const callees = spans.filter(
      (span) => span.service === 'product-service' && span.kind === SERVER,
    );
    assert.deepEqual(
      callees.map((span) => span.parentSpanId).sort(),
      clients.map((span) => span.spanId).sort(),
      'each callee span is the child of the client span that called it',
    );
    assert.deepEqual(callees.map((span) => span.name).sort(), [
      'GET /products/:id',
      'GET /products/:id',
    ]);
  });
});

describe('a 5xx and the instrumentations switched on by name', () => {
  test('a 5xx leaves an exception event and error.type on its server span', async () => {
    await stack.services.stop('product-service');
    const { traceId, traceparent } = traceContext();
    const response = await call(gateway, 'GET', '/api/products/1', { headers: { traceparent } });
    assert.equal(response.status, 503);

    const server = await eventually(() =>
      spansOf(traceId).find((span) => span.kind === SERVER && span.service === 'api-gateway'),
    );
    assert.equal(server.name, 'GET /api/products/:id');
    assert.equal(server.statusCode, 2, 'status ERROR');
    assert.equal(server.attributes['error.type'], '503');
    const exception = server.events.find((event) => event.name === 'exception');
    assert.ok(exception, 'an exception event');
    assert.equal(exception.attributes['exception.type'], 'ServiceUnavailableException');
    assert.match(String(exception.attributes['exception.message']), /product-service/);
    // The client span of the failed call follows the conventions too.
    const client = spansOf(traceId).find((span) => span.kind === CLIENT);
    assert.ok(client, 'a client span for the refused call');
    assert.equal(client.statusCode, 2);
    assert.equal(client.attributes['error.type'], 'Error');

    // On a real PostgreSQL server, with every instrumentation the benchmark's `full` names.
    await stack.services.start('product-service', {
      DATABASE_URL: `${postgresUrl.replace(/\/$/, '')}/products`,
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express,nestjs-core,pg,pino',
    });
  });

  test('with OTEL_NODE_ENABLED_INSTRUMENTATIONS naming them, express and Nest spans appear', async () => {
    const { traceId, traceparent } = traceContext();
    const response = await call(stack.services.urls['product-service'], 'GET', '/products/1', {
      headers: { traceparent },
    });
    assert.equal(response.status, 200);
    const spans = await eventually(() => {
      const inTrace = spansOf(traceId);
      return (
        inTrace.some((span) => span.scope === '@opentelemetry/instrumentation-nestjs-core') &&
        inTrace.some((span) => span.scope === '@opentelemetry/instrumentation-express') &&
        inTrace
      );
    });
    const server = spans.find((span) => span.kind === SERVER)!;
    assert.equal(server.name, 'GET /products/:id');
    assert.ok(spans.some((span) => span.attributes['nestjs.type'] === 'request_context'));
    assert.ok(spans.some((span) => span.attributes['express.type'] !== undefined));
  });

  test('pg query spans appear under a sampled request and not under an unsampled one', async () => {
    const product = stack.services.urls['product-service'];
    const unsampled = traceContext(false);
    const sampled = traceContext(true);
    const first = await call(product, 'GET', '/products/2', {
      headers: { traceparent: unsampled.traceparent },
    });
    const second = await call(product, 'GET', '/products/2', {
      headers: { traceparent: sampled.traceparent },
    });
    assert.deepEqual([first.status, second.status], [200, 200]);
    assert.equal(first.headers.get('x-trace-id'), unsampled.traceId);

    const queries = await eventually(() => {
      const pg = spansOf(sampled.traceId).filter(
        (span) => span.scope === '@opentelemetry/instrumentation-pg',
      );
      return pg.length > 0 && pg;
    });
    for (const query of queries) {
      assert.equal(query.kind, CLIENT);
      assert.equal(
        query.attributes['db.system.name'] ?? query.attributes['db.system'],
        'postgresql',
      );
    }
    // The sampled request came second, and its spans have arrived: the unsampled one's would have too.
    assert.deepEqual(spansOf(unsampled.traceId), []);
  });
});

describe('the user a request acts for', () => {
  test('user.id is on the request line and server span of each service acting for the caller, never a forged header', async () => {
    const email = `signals-${randomBytes(4).toString('hex')}@example.com`;
    const password = 'correct horse battery';
    const registered = await call(gateway, 'POST', '/api/auth/register', {
      body: { email, password, name: 'Signals' },
    });
    assert.equal(registered.status, 201);
    const userId = registered.body.id as string;
    const login = await call(gateway, 'POST', '/api/auth/login', { body: { email, password } });
    const token = login.body.accessToken as string;

    const { traceId, traceparent } = traceContext();
    const orders = await call(gateway, 'GET', '/api/orders', { token, headers: { traceparent } });
    assert.equal(orders.status, 200);

    for (const service of ['api-gateway', 'order-service'] as const) {
      const server = await eventually(() =>
        spansOf(traceId).find((span) => span.kind === SERVER && span.service === service),
      );
      assert.equal(server.attributes['user.id'], userId, `${service}'s server span`);
      const line = await eventually(() =>
        stack
          .logLines(service)
          .find((entry) => entry.trace_id === traceId && entry.msg === 'request completed'),
      );
      assert.equal(line['user.id'], userId, `${service}'s request line`);
    }
    assert.notEqual(userId, email);

    // The calls made on the user's behalf: order-service's user lookup and stock
    // reservation, agent-service's tool calls.
    const placing = traceContext();
    const placed = await call(gateway, 'POST', '/api/orders', {
      token,
      headers: { traceparent: placing.traceparent },
      body: { items: [{ productId: 2, quantity: 1 }] },
    });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    const asking = traceContext();
    const run = await call(gateway, 'POST', '/api/agents/execute', {
      token,
      headers: { traceparent: asking.traceparent },
      body: { agentType: 'catalog', input: 'find a laptop under 1500' },
    });
    assert.equal(run.body.status, 'success', JSON.stringify(run.body));
    for (const [trace, service, route] of [
      [placing, 'user-service', '/internal/users/:id'],
      [placing, 'product-service', '/internal/stock-reservations'],
      [placing, 'product-service', '/internal/stock-reservations/:orderId/confirm'],
      [asking, 'product-service', '/products'],
    ] as const) {
      const server = await eventually(() =>
        spansOf(trace.traceId).find(
          (span) =>
            span.kind === SERVER &&
            span.service === service &&
            span.attributes['http.route'] === route,
        ),
      );
      assert.equal(server.attributes['user.id'], userId, `${service} ${route}: server span`);
      const line = await eventually(() =>
        stack
          .logLines(service)
          .find(
            (entry) =>
              entry.trace_id === trace.traceId &&
              entry.msg === 'request completed' &&
              entry.route === route,
          ),
      );
      assert.equal(line['user.id'], userId, `${service} ${route}: request line`);
    }

    // At the gateway the header is the client's to forge: only a verified token counts.
    const forged = traceContext();
    await call(gateway, 'GET', '/api/products/1', {
      headers: { traceparent: forged.traceparent, 'x-user-id': userId },
    });
    const line = await eventually(() =>
      stack
        .logLines('api-gateway')
        .find((entry) => entry.trace_id === forged.traceId && entry.msg === 'request completed'),
    );
    assert.equal(line['user.id'], undefined);
    const server = await eventually(() =>
      spansOf(forged.traceId).find(
        (span) => span.kind === SERVER && span.service === 'api-gateway',
      ),
    );
    assert.equal(server.attributes['user.id'], undefined);
  });
});

/** `name{labels} value` samples of one service's /metrics whose labels include `labels`. */
async function samples(service: ServiceName, name: string, labels: Record<string, string>) {
  const text = (await call(stack.services.urls[service], 'GET', '/metrics')).body as string;
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return text
    .split('\n')
    .filter((row) => row.startsWith(`${name}{`) && wanted.every((pair) => row.includes(pair)))
    .map((row) => ({ row, value: Number(row.split(' ').at(-1)) }));
}

describe('database client metrics', () => {
  test('each operation is timed by command, a failed one by its SQLSTATE, and the pg pool is reported', async () => {
    // order-service's own database refuses a caller id that is no uuid (22P02).
    const refused = await call(stack.services.urls['order-service'], 'GET', '/orders', {
      headers: { 'x-user-id': 'not-a-uuid' },
    });
    assert.equal(refused.status, 400);
    const failed = await samples('order-service', 'db_client_operation_duration_seconds_count', {
      db_operation_name: 'SELECT',
      error_type: '22P02',
      service: 'order-service',
    });
    assert.ok(failed.length === 1 && failed[0].value >= 1, JSON.stringify(failed));
    const inserts = await samples('user-service', 'db_client_operation_duration_seconds_count', {
      db_operation_name: 'INSERT',
      service: 'user-service',
    });
    assert.ok(inserts.some((sample) => !sample.row.includes('error_type') && sample.value >= 1));

    // product-service runs on the PostgreSQL server since the 5xx test: its pool is reported.
    const idle = await samples('product-service', 'db_client_connection_count', {
      db_client_connection_state: 'idle',
      service: 'product-service',
    });
    assert.equal(idle.length, 1);
    assert.ok(idle[0].value >= 1, idle[0].row);
    const [max] = await samples('product-service', 'db_client_connection_max', {
      service: 'product-service',
    });
    assert.equal(max?.value, POOL_SIZE);
  });

  test('a database outage: failed operations counted, the error logged as err on stdout and as exception.* over OTLP', async () => {
    // A database of its own, served over the wire protocol, that this test can stop.
    const db = await PGlite.create();
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 10 });
    await server.start();
    try {
      await stack.services.stop('product-service');
      await stack.services.start('product-service', {
        DATABASE_URL: `postgres://postgres@${server.getServerConn()}`,
        OTEL_LOGS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BLRP_SCHEDULE_DELAY: '100',
      });
      const product = stack.services.urls['product-service'];
      assert.equal((await call(product, 'GET', '/products/1')).status, 200);

      await server.stop();
      const { traceId, traceparent } = traceContext();
      const failed = await call(product, 'GET', '/products/1', { headers: { traceparent } });
      assert.equal(failed.status, 500);
      assert.equal((await call(product, 'GET', '/health/live')).status, 200, 'still running');

      const line = await eventually(() =>
        stack
          .logLines('product-service')
          .find((entry) => entry.trace_id === traceId && entry.err !== undefined),
      );
      const err = line.err as { type: string; message: string; stack: string };
      assert.deepEqual(Object.keys(err).sort(), ['message', 'stack', 'type']);
      assert.ok(err.stack.startsWith(`${err.type}: `), err.stack);
      assert.equal(line.msg, err.message);

      const record = await eventually(() =>
        stack.receiver.logs.find(
          (entry) => entry.traceId === traceId && entry.attributes['exception.type'] !== undefined,
        ),
      );
      assert.equal(record.service, 'product-service');
      assert.equal(record.severityText, 'error');
      assert.deepEqual(
        {
          type: record.attributes['exception.type'],
          message: record.attributes['exception.message'],
          stack: record.attributes['exception.stacktrace'],
        },
        err,
        'the same error over OTLP, under the semantic-convention names',
      );

      const errors = await samples(
        'product-service',
        'db_client_operation_duration_seconds_count',
        {
          service: 'product-service',
        },
      );
      assert.ok(
        errors.some((sample) => sample.row.includes('error_type=') && sample.value >= 1),
        errors.map((sample) => sample.row).join('\n'),
      );
    } finally {
      await server.stop().catch(() => undefined);
      await db.close();
    }
  });
});

/**
 * An in-memory PGlite served over the PostgreSQL wire protocol on a free port. It serves one
 * database whatever name a client asks for, so product-service's `/products` URL reaches it.
 */
async function startPgliteServer(): Promise<string> {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: POOL_SIZE,
  });
  await server.start();
  pglite = { db, server };
  return `postgres://postgres@${server.getServerConn()}`;
}
