// End-to-end: the five built services as separate processes, driven through
// the gateway's public API, their telemetry received by a local OTLP receiver.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot, SERVICES } from '../../tools/services/launcher.ts';
import { signUp } from '../../tools/harness/sign-up.ts';
import { call, eventually, startTestStack, type TestStack } from './support/stack.ts';

let stack: TestStack;
let gateway: string;

before(async () => {
  stack = await startTestStack();
  gateway = stack.gateway;
});

after(async () => {
  await stack?.stop();
});

describe('the shopping journey through the gateway', () => {
  test('register, log in, browse, order, read the order, run every agent', async () => {
    const user = await signUp(gateway, 'journey');
    const me = await call(gateway, 'GET', '/api/users/me', { token: user.token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { id: user.id, email: user.email, name: 'journey' });

    const page = await call(gateway, 'GET', '/api/products?limit=5&offset=5');
    assert.equal(page.status, 200);
    assert.equal(page.body.items.length, 5);
    assert.equal(page.body.offset, 5);
    assert.ok(page.body.total >= 100, 'the seeded catalogue pages');
    const found = await call(gateway, 'GET', '/api/products?q=headphones');
    assert.ok(found.body.items.length > 0);
    assert.ok(found.body.items.every((p: { name: string }) => /headphones/i.test(p.name)));

    const product = page.body.items[0];
    const placed = await call(gateway, 'POST', '/api/orders', {
      token: user.token,
      body: { items: [{ productId: product.id, quantity: 2 }] },
    });
    assert.equal(placed.status, 201);
    assert.equal(placed.body.status, 'confirmed');
    assert.equal(placed.body.total, Math.round(product.price * 2 * 100) / 100);
    assert.deepEqual(placed.body.items, [
      { productId: product.id, name: product.name, quantity: 2, unitPrice: product.price },
    ]);

    const read = await call(gateway, 'GET', `/api/orders/${placed.body.id}`, { token: user.token });
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, placed.body);
    const listed = await call(gateway, 'GET', '/api/orders', { token: user.token });
    assert.deepEqual(
      listed.body.map((order: { id: string }) => order.id),
      [placed.body.id],
    );

    const agents = await call(gateway, 'GET', '/api/agents');
    assert.deepEqual(agents.body.map((agent: { type: string }) => agent.type).sort(), [
      'catalog',
      'crm',
      'order-assistant',
    ]);
    for (const [agentType, input] of [
      ['crm', 'summarize my account'],
      ['catalog', 'find a laptop under 1500'],
      ['order-assistant', 'where is my latest order?'],
    ]) {
      const run = await call(gateway, 'POST', '/api/agents/execute', {
        token: user.token,
        body: { agentType, input },
      });
      assert.equal(run.status, 200, `${agentType}: ${JSON.stringify(run.body)}`);
      assert.equal(run.body.status, 'success', `${agentType}: ${JSON.stringify(run.body)}`);
      assert.ok(run.body.steps.length > 0);
      assert.match(run.body.traceId, /^[0-9a-f]{32}$/);
      assert.ok(run.body.output.length > 0);
    }
  });

  test('an Idempotency-Key retry returns the same order and reserves stock once', async () => {
    const user = await signUp(gateway, 'idempotent');
    const before = (await call(gateway, 'GET', '/api/products/3')).body.stock;
    const order = {
      token: user.token,
      body: { items: [{ productId: 3, quantity: 4 }] },
      headers: { 'Idempotency-Key': 'retry-1' },
    };
    const first = await call(gateway, 'POST', '/api/orders', order);
    const retry = await call(gateway, 'POST', '/api/orders', order);
    assert.equal(first.status, 201);
    assert.equal(retry.status, 201);
    assert.equal(retry.body.id, first.body.id);
    assert.equal((await call(gateway, 'GET', '/api/products/3')).body.stock, before - 4);
  });

  test('cancelling an order releases its stock, once', async () => {
    const user = await signUp(gateway, 'cancel');
    const before = (await call(gateway, 'GET', '/api/products/4')).body.stock;
    const placed = await call(gateway, 'POST', '/api/orders', {
      token: user.token,
      body: { items: [{ productId: 4, quantity: 3 }] },
    });
    const cancelled = await call(gateway, 'POST', `/api/orders/${placed.body.id}/cancel`, {
      token: user.token,
    });
    const again = await call(gateway, 'POST', `/api/orders/${placed.body.id}/cancel`, {
      token: user.token,
    });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal(again.body.status, 'cancelled');
    assert.equal((await call(gateway, 'GET', '/api/products/4')).body.stock, before);
  });
});

describe('traces', () => {
  test('placing an order is one trace across gateway, order, user and product services', async () => {
    const user = await signUp(gateway, 'tracing');
    const placed = await call(gateway, 'POST', '/api/orders', {
      token: user.token,
      body: { items: [{ productId: 5, quantity: 1 }] },
    });
    assert.equal(placed.status, 201);
    const traceId = placed.headers.get('x-trace-id');
    assert.match(traceId ?? '', /^[0-9a-f]{32}$/);

    const spans = await eventually(() => {
      const inTrace = stack.receiver.spans.filter((span) => span.traceId === traceId);
      const services = new Set(
        inTrace.filter((span) => span.kind === 2).map((span) => span.service),
      );
      return services.size >= 4 && inTrace;
    });
    const servers = spans.filter((span) => span.kind === 2);
    assert.deepEqual([...new Set(servers.map((span) => span.service))].sort(), [
      'api-gateway',
      'order-service',
      'product-service',
      'user-service',
    ]);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const roots = spans.filter((span) => !span.parentSpanId);
    assert.equal(roots.length, 1, 'exactly one root span');
    assert.equal(roots[0].service, 'api-gateway');
    assert.equal(roots[0].name, 'POST /api/orders');
    for (const span of spans.filter((s) => s.parentSpanId)) {
      assert.ok(
        byId.has(span.parentSpanId),
        `parent of ${span.service} "${span.name}" is in the trace`,
      );
    }
    // Every server span below the gateway is the child of a client span in its caller.
    for (const server of servers.filter((span) => span.service !== 'api-gateway')) {
      const parent = byId.get(server.parentSpanId)!;
      assert.equal(
        parent.kind,
        3,
        `${server.name} in ${server.service} is called by a client span`,
      );
      assert.notEqual(parent.service, server.service);
    }
    const routes = Object.fromEntries(
      servers.map((span) => [span.service + ' ' + span.name, span.attributes['http.route']]),
    );
    assert.equal(routes['api-gateway POST /api/orders'], '/api/orders');
    assert.equal(routes['order-service POST /orders'], '/orders');
    assert.equal(routes['user-service GET /internal/users/:id'], '/internal/users/:id');
    assert.equal(
      routes['product-service POST /internal/stock-reservations'],
      '/internal/stock-reservations',
    );
    assert.ok(
      spans.some(
        (span) =>
          span.service === 'product-service' && span.name.includes('ProductsRepository.reserve'),
      ),
      'a domain span for the reservation',
    );
    assert.ok(
      spans.some((span) => span.encoding === 'json') &&
        spans.some((span) => span.encoding === 'protobuf'),
      'both OTLP encodings arrived',
    );
    const resource = roots[0].resource;
    assert.equal(resource['service.name'], 'api-gateway');
    assert.equal(resource['deployment.environment.name'], 'production');
    assert.ok(resource['service.version'] && resource['service.instance.id']);
  });

  test('agent executions follow the GenAI agent conventions', async () => {
    const user = await signUp(gateway, 'agent-spans');
    const run = await call(gateway, 'POST', '/api/agents/execute', {
      token: user.token,
      body: { agentType: 'crm', input: 'summarize my account' },
    });
    const traceId = run.body.traceId as string;
    const spans = await eventually(() => {
      const inTrace = stack.receiver.spans.filter((span) => span.traceId === traceId);
      return (
        inTrace.some((span) => span.name.startsWith('invoke_agent')) &&
        inTrace.some((s) => s.service === 'user-service') &&
        inTrace
      );
    });
    const agent = spans.find((span) => span.name === 'invoke_agent crm')!;
    assert.equal(agent.attributes['gen_ai.operation.name'], 'invoke_agent');
    assert.equal(agent.attributes['gen_ai.agent.name'], 'crm');
    const tools = spans.filter(
      (span) => span.attributes['gen_ai.operation.name'] === 'execute_tool',
    );
    assert.ok(tools.length >= 2);
    for (const tool of tools) {
      assert.equal(tool.name, `execute_tool ${tool.attributes['gen_ai.tool.name']}`);
    }
  });
});

describe('logs', () => {
  test('every log line of a request carries its trace id, and no secret is logged', async () => {
    const user = await signUp(gateway, 'logging');
    const placed = await call(gateway, 'POST', '/api/orders', {
      token: user.token,
      body: { items: [{ productId: 6, quantity: 1 }] },
    });
    const traceId = placed.headers.get('x-trace-id');
    const isGatewayRequestLine = (line: Record<string, unknown>) =>
      line.service === 'api-gateway' && line.msg === 'request completed';
    // Lines reach stdout in blocks (libs/telemetry's buffered destination), each service on its
    // own clock: wait for the gateway's request line too, which is written after the callees'.
    const requestLogs = await eventually(() => {
      const lines = SERVICES.flatMap((name) => stack.logLines(name)).filter(
        (line) => line.trace_id === traceId,
      );
      return lines.length >= 4 && lines.some(isGatewayRequestLine) && lines;
    });
    for (const line of requestLogs) {
      assert.equal(line.span_id !== undefined, true);
      assert.ok(SERVICES.includes(line.service as never));
    }
    const completed = requestLogs.find(isGatewayRequestLine)!;
    assert.deepEqual(
      { method: completed.method, route: completed.route, status_code: completed.status_code },
      { method: 'POST', route: '/api/orders', status_code: 201 },
    );
    assert.equal(typeof completed.duration_ms, 'number');
    // Lines of other requests in flight carry their own trace ids, never none.
    const requestLines = SERVICES.flatMap((name) => stack.logLines(name)).filter(
      (line) => line.msg === 'request completed',
    );
    assert.ok(requestLines.every((line) => /^[0-9a-f]{32}$/.test(String(line.trace_id))));

    for (const name of SERVICES) {
      const text = stack.logText(name);
      assert.ok(!text.includes(user.password), `${name} logs no password`);
      assert.ok(!text.includes(user.token), `${name} logs no bearer token`);
    }
    for (const span of stack.receiver.spans) {
      const attributes = JSON.stringify(span.attributes);
      assert.ok(
        !attributes.includes(user.token) && !attributes.includes(user.password),
        `span ${span.name} holds no secret`,
      );
    }
  });
});

describe('metrics', () => {
  const openMetrics = { headers: { accept: 'application/openmetrics-text; version=1.0.0' } };

  test('each service exposes the RED series with route templates and trace exemplars', async () => {
    const user = await signUp(gateway, 'metrics');
    await call(gateway, 'POST', '/api/orders', {
      token: user.token,
      body: { items: [{ productId: 8, quantity: 1 }] },
    });
    await call(gateway, 'POST', '/api/agents/execute', {
      token: user.token,
      body: { agentType: 'catalog', input: 'speaker' },
    });
    const expectedRoutes: Record<string, string> = {
      'api-gateway': '/api/orders',
      'user-service': '/internal/users/:id',
      'product-service': '/internal/stock-reservations',
      'order-service': '/orders',
      'agent-service': '/agents/execute',
    };
    const receivedTraceIds = new Set(stack.receiver.spans.map((span) => span.traceId));
    for (const name of SERVICES) {
      const text = (await call(stack.services.urls[name], 'GET', '/metrics')).body as string;
      const route = expectedRoutes[name];
      assert.match(
        text,
        new RegExp(`http_requests_total\\{[^}]*route="${escape(route)}"[^}]*service="${name}"`),
        `${name} counts ${route}`,
      );
      assert.match(text, /# TYPE http_request_duration_seconds histogram/);
      assert.match(text, new RegExp(`http_requests_in_flight\\{service="${name}"\\}`));
      assert.match(text, /nodejs_eventloop_lag_p99_seconds/);
      assert.match(text, /process_resident_memory_bytes/);
      assert.doesNotMatch(
        text,
        /route="\/[^"]*[0-9a-f]{8}-[0-9a-f]{4}/,
        'no raw ids in route labels',
      );

      const open = (await call(stack.services.urls[name], 'GET', '/metrics', openMetrics)) as {
        body: string;
        headers: Headers;
      };
      assert.match(open.headers.get('content-type') ?? '', /application\/openmetrics-text/);
      assert.match(open.body, /# EOF\n$/);
      assert.match(
        open.body,
        new RegExp(`^http_requests_total\\{`, 'm'),
        'counter samples keep _total in OpenMetrics',
      );
      const exemplars = [
        ...open.body.matchAll(
          /http_request_duration_seconds_bucket\{[^}]*\} \d+ # \{trace_id="([0-9a-f]{32})"\}/g,
        ),
      ];
      assert.ok(exemplars.length > 0, `${name} has exemplars`);
      await eventually(() =>
        exemplars.some(
          ([, id]) =>
            receivedTraceIds.has(id) || stack.receiver.spans.some((s) => s.traceId === id),
        ),
      );
    }
    const plain = (await call(gateway, 'GET', '/metrics')).body as string;
    assert.match(
      plain,
      /^http_requests_total\{/m,
      'a text scrape after an OpenMetrics one still ends counters in _total',
    );
  });

  test('500 requests to random unknown paths add no series', async () => {
    const countSeries = async () =>
      ((await call(gateway, 'GET', '/metrics')).body as string)
        .split('\n')
        .filter((line) => line.startsWith('http_')).length;
    await call(gateway, 'GET', `/never-${Math.random()}`);
    const before = await countSeries();
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        call(gateway, 'GET', `/scan/${i}/${Math.random().toString(36).slice(2)}`),
      ),
    );
    assert.equal(await countSeries(), before);
    assert.match(
      (await call(gateway, 'GET', '/metrics')).body,
      /http_requests_total\{[^}]*route="unmatched",status_code="404"[^}]*\} (\d+)/,
    );
  });
});

describe('client mistakes and failures', () => {
  test('a bad body is a 400 naming every offending field', async () => {
    const user = await signUp(gateway, 'validation');
    const register = await call(gateway, 'POST', '/api/auth/register', {
      body: { email: 'not-an-email', password: 'short' },
    });
    assert.equal(register.status, 400);
    const messages = (register.body.message as string[]).join('\n');
    for (const field of ['email', 'password', 'name'])
      assert.match(messages, new RegExp(`^${field} `, 'm'));
    const order = await call(gateway, 'POST', '/api/orders', {
      token: user.token,
      body: { items: [{ productId: 'x', quantity: 0 }], extra: 1 },
    });
    assert.equal(order.status, 400);
    const orderMessages = (order.body.message as string[]).join('\n');
    assert.match(orderMessages, /items\.0\.productId/);
    assert.match(orderMessages, /items\.0\.quantity/);
    assert.match(orderMessages, /property extra should not exist/);
    const malformed = await fetch(`${gateway}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":',
    });
    assert.equal(malformed.status, 400);
    assert.deepEqual(Object.keys(await malformed.json()).sort(), [
      'error',
      'message',
      'statusCode',
    ]);
    assert.equal((await call(gateway, 'GET', '/api/products/abc')).status, 400);
    assert.equal((await call(gateway, 'GET', '/api/products?limit=1000')).status, 400);
    assert.equal((await call(gateway, 'GET', '/api/products/999999')).status, 404);
    const duplicate = await call(gateway, 'POST', '/api/auth/register', {
      body: { email: user.email, password: 'another-password', name: 'x' },
    });
    assert.equal(duplicate.status, 409);
    const wrongPassword = await call(gateway, 'POST', '/api/auth/login', {
      body: { email: user.email, password: 'wrong-password' },
    });
    assert.equal(wrongPassword.status, 401);
  });

  test('values no column holds and text PostgreSQL cannot store are 400s, never 5xx', async () => {
    const user = await signUp(gateway, 'hostile');
    const product = stack.services.urls['product-service'];
    const users = stack.services.urls['user-service'];
    const answers = [
      await call(gateway, 'POST', '/api/orders', {
        token: user.token,
        body: { items: [{ productId: 9_007_199_254_740_992, quantity: 1 }] },
      }),
      await call(gateway, 'GET', '/api/products?offset=3.3e16'),
      await call(gateway, 'GET', '/api/products?offset=1.2e308'),
      await call(gateway, 'GET', '/api/products/2.9e16'),
      await call(gateway, 'GET', '/api/products?q=lap%00top%07%1b'),
      await call(product, 'GET', '/products?offset=3.3e16'),
      await call(product, 'GET', '/products/2.9e16'),
      await call(product, 'GET', '/products?q=%00'),
      await call(users, 'POST', '/users/register', {
        body: { email: 'nul@example.com', password: 'long enough', name: 'A\u0000da' },
      }),
      // Past the DTOs, the database's own refusal (22P02 for a caller id that is no uuid).
      await call(stack.services.urls['order-service'], 'GET', '/orders', {
        headers: { 'x-user-id': 'not-a-uuid' },
      }),
    ];
    for (const answer of answers) {
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.deepEqual(Object.keys(answer.body).sort(), ['error', 'message', 'statusCode']);
    }
    // Other control characters are text PostgreSQL stores: a search, not an error.
    assert.equal((await call(gateway, 'GET', '/api/products?q=%07%1b%7f%09')).status, 200);
    assert.match(String(answers[0].body.message), /items\.0\.productId/);
    assert.match(String(answers[8].body.message), /name must not contain NUL/);
  });

  test('every error answer in every OpenAPI document has the error body schema', async () => {
    for (const name of SERVICES) {
      const docs = (await call(stack.services.urls[name], 'GET', '/docs-json')).body;
      // Health answers are @nestjs/terminus' own body; every other error is the contract's.
      const errorAnswers = Object.entries(docs.paths as Record<string, object>)
        .filter(([path]) => !path.startsWith('/health/'))
        .flatMap(([path, operations]) =>
          Object.entries(operations).flatMap(([method, operation]) =>
            Object.entries(operation.responses as Record<string, { content?: unknown }>)
              .filter(([status]) => Number(status) >= 400)
              .map(([status, response]) => ({
                at: `${name} ${method} ${path} ${status}`,
                response,
              })),
          ),
        );
      assert.ok(errorAnswers.length > 0, name);
      for (const { at, response } of errorAnswers) {
        assert.deepEqual(
          response.content,
          { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBodyDto' } } },
          at,
        );
      }
    }
  });

  test("no token or a forged one is a 401; another user's order is a 404", async () => {
    const owner = await signUp(gateway, 'owner');
    const other = await signUp(gateway, 'other');
    assert.equal((await call(gateway, 'GET', '/api/orders')).status, 401);
    assert.equal(
      (await call(gateway, 'GET', '/api/users/me', { token: 'forged.token.value' })).status,
      401,
    );
    assert.equal(
      (
        await call(gateway, 'POST', '/api/agents/execute', {
          body: { agentType: 'crm', input: 'x' },
        })
      ).status,
      401,
    );
    const placed = await call(gateway, 'POST', '/api/orders', {
      token: owner.token,
      body: { items: [{ productId: 9, quantity: 1 }] },
    });
    assert.equal(
      (await call(gateway, 'GET', `/api/orders/${placed.body.id}`, { token: other.token })).status,
      404,
    );
    assert.equal(
      (await call(gateway, 'POST', `/api/orders/${placed.body.id}/cancel`, { token: other.token }))
        .status,
      404,
    );
    assert.deepEqual((await call(gateway, 'GET', '/api/orders', { token: other.token })).body, []);
  });

  test("internal routes, docs and other services' metrics are not reachable through the gateway", async () => {
    for (const path of [
      '/api/internal/users/x',
      '/internal/stock-reservations',
      '/api/metrics',
      '/api/docs',
      '/api/admin/faults',
    ]) {
      assert.equal((await call(gateway, 'GET', path)).status, 404, path);
    }
    for (const name of SERVICES) {
      const docs = await call(stack.services.urls[name], 'GET', '/docs-json');
      assert.equal(docs.status, 200);
      assert.equal(docs.body.info.title, name);
      assert.equal((await fetch(`${stack.services.urls[name]}/docs`)).status, 200);
      assert.equal((await call(stack.services.urls[name], 'GET', '/health/live')).status, 200);
    }
  });

  test('50 concurrent orders for the last units never oversell and the stock adds up', async () => {
    const limited = (await call(gateway, 'GET', '/api/products?q=limited&limit=100')).body
      .items as { id: number; stock: number }[];
    const product = limited.find((p) => p.stock > 0)!;
    const buyers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => signUp(gateway, `buyer${i}`)),
    );
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(gateway, 'POST', '/api/orders', {
          token: buyers[i % 5].token,
          body: { items: [{ productId: product.id, quantity: 1 }] },
        }),
      ),
    );
    const statuses = results.map((result) => result.status);
    assert.ok(
      statuses.every((status) => status === 201 || status === 409),
      `only 201 or 409: ${statuses}`,
    );
    const sold = statuses.filter((status) => status === 201).length;
    assert.equal(sold, product.stock, 'exactly the units in stock were sold');
    assert.equal((await call(gateway, 'GET', `/api/products/${product.id}`)).body.stock, 0);
  });

  test('a stopped downstream gives 503 quickly and the gateway keeps answering', async () => {
    await stack.services.stop('product-service');
    try {
      const started = performance.now();
      const response = await call(gateway, 'GET', '/api/products/1');
      const elapsed = performance.now() - started;
      assert.equal(response.status, 503);
      assert.match(response.body.message, /product-service/);
      assert.ok(
        elapsed < 5000,
        `answered within the 5 s upstream timeout (${Math.round(elapsed)} ms)`,
      );
      assert.equal((await call(gateway, 'GET', '/health/live')).status, 200);
      const metrics = (await call(gateway, 'GET', '/metrics')).body as string;
      assert.match(
        metrics,
        /upstream_requests_total\{upstream="product-service",status_code="error"[^}]*\} [1-9]/,
      );
    } finally {
      await stack.services.start('product-service');
    }
    assert.equal((await call(gateway, 'GET', '/api/products/1')).status, 200);
  });
});

describe('configuration and shutdown', () => {
  test('invalid configuration stops a service at start with a message naming the variable', () => {
    const root = repoRoot();
    const result = spawnSync(process.execPath, [join(root, 'dist/apps/user-service/main.js')], {
      env: { ...process.env, PORT: 'not-a-port', NODE_ENV: 'production', JWT_SECRET: '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /PORT/);
    assert.match(result.stderr, /JWT_SECRET/);
  });

  test('SIGTERM lets the process exit 0 after its last spans reached the receiver', async () => {
    const user = await signUp(gateway, 'shutdown');
    // A batch delay far longer than the test: only the shutdown flush can deliver these spans.
    await stack.services.stop('user-service');
    await stack.services.start('user-service', { OTEL_BSP_SCHEDULE_DELAY: '600000' });
    const response = await call(gateway, 'GET', '/api/users/me', { token: user.token });
    assert.equal(response.status, 200);
    const traceId = response.headers.get('x-trace-id');
    assert.ok(
      !stack.receiver.spans.some(
        (span) => span.traceId === traceId && span.service === 'user-service',
      ),
    );
    const exitCode = await stack.services.stop('user-service', 'SIGTERM');
    assert.equal(exitCode, 0);
    assert.ok(
      stack.receiver.spans.some(
        (span) => span.traceId === traceId && span.service === 'user-service',
      ),
    );
    await stack.services.start('user-service');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
