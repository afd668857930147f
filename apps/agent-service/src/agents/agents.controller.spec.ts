import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AgentResultDto, AgentTypeDto, OrderDto, ProductDto } from '@obs/api-contracts';
import { configureService, FaultRegistry, loadConfig } from '@obs/service-kit';
import { startInMemoryTelemetry } from '@obs/telemetry/testing';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { AppModule } from '../app.module';
import { SERVICE } from '../service';

// The real service over HTTP, calling stub user-, product- and order-services
// on loopback ports; spans come from the real SDK through an in-memory exporter.

const USER = {
  id: '0b6f3c1e-5d2a-4e8b-9c7d-1a2b3c4d5e6f',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
};
const OLDER: OrderDto = {
  id: 'aaaaaaaa-1111-4111-8111-111111111111',
  status: 'confirmed',
  total: 100.5,
  items: [{ productId: 1, name: 'Ultrabook Lite', quantity: 1, unitPrice: 100.5 }],
  createdAt: '2025-03-01T10:00:00.000Z',
};
const NEWER: OrderDto = {
  id: 'bbbbbbbb-2222-4222-8222-222222222222',
  status: 'cancelled',
  total: 20,
  items: [{ productId: 4, name: 'Earbuds Lite', quantity: 2, unitPrice: 10 }],
  createdAt: '2025-03-02T10:00:00.000Z',
};
const CATALOGUE: ProductDto[] = [
  product(1, 'Ultrabook Lite', 'laptops', 899),
  product(2, 'Gaming Laptop Lite', 'laptops', 1299),
  product(3, 'Workstation Pro', 'laptops', 1899),
  product(4, 'Earbuds Lite', 'audio', 79),
  product(5, 'Headphones Pro', 'audio', 249),
  product(6, 'Speaker Lite', 'audio', 59),
];

const { exporter, flush } = startInMemoryTelemetry(SERVICE.serviceName);

describe('agent-service', () => {
  let users: Stub;
  let products: Stub;
  let orders: Stub;
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    users = await startStub(userService);
    products = await startStub(productService);
    orders = await startStub(orderService);
    const config = loadConfig(SERVICE, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      USER_SERVICE_URL: users.url,
      PRODUCT_SERVICE_URL: products.url,
      ORDER_SERVICE_URL: orders.url,
    });
    app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
    configureService(app, config);
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
    await Promise.all([users.close(), products.close(), orders.close()]);
  });

  beforeEach(() => {
    exporter.reset();
    for (const stub of [users, products, orders]) stub.requests.length = 0;
  });

  it('lists the agent types and the tools each may call', async () => {
    const response = await fetch(`${baseUrl}/agents`);
    expect(response.status).toBe(200);
    const types = (await response.json()) as AgentTypeDto[];
    expect(types.map(({ type, tools }) => ({ type, tools }))).toEqual([
      { type: 'crm', tools: ['get_user_profile', 'list_orders'] },
      { type: 'catalog', tools: ['search_products', 'get_product'] },
      { type: 'order-assistant', tools: ['list_orders', 'get_order'] },
    ]);
    for (const type of types) expect(type.description).not.toBe('');
  });

  describe('crm', () => {
    it('summarises the caller from their profile and orders, as the caller', async () => {
      const successes = await metricValue('agent_executions_total', {
        agent_type: 'crm',
        status: 'success',
      });
      const profileCalls = await metricValue('agent_tool_calls_total', {
        tool: 'get_user_profile',
        status: 'success',
      });
      const crmDurations = () =>
        metricValue(
          'agent_execution_duration_seconds',
          { agent_type: 'crm' },
          'agent_execution_duration_seconds_count',
        );
      const durations = await crmDurations();

      const { status, body } = await execute({ agentType: 'crm', input: 'who am I?' });

      expect(status).toBe(200);
      expect(body.status).toBe('success');
      expect(body.steps.map(({ tool, status }) => ({ tool, status }))).toEqual([
        { tool: 'get_user_profile', status: 'success' },
        { tool: 'list_orders', status: 'success' },
      ]);
      expect(body.steps[0].result).toEqual({ id: USER.id, name: USER.name });
      expect(body.output).toBe(
        `Ada Lovelace has 2 orders (1 cancelled) and has spent 100.50 in total. ` +
          `Last order: ${NEWER.id} on 2025-03-02, cancelled, 20.00.`,
      );
      expect(users.requests.map((request) => request.url)).toEqual([`/internal/users/${USER.id}`]);
      expect(orders.requests.map((request) => [request.url, request.headers['x-user-id']])).toEqual(
        [['/orders', USER.id]],
      );

      expect(
        await metricValue('agent_executions_total', { agent_type: 'crm', status: 'success' }),
      ).toBe(successes + 1);
      expect(
        await metricValue('agent_tool_calls_total', {
          tool: 'get_user_profile',
          status: 'success',
        }),
      ).toBe(profileCalls + 1);
      expect(await crmDurations()).toBe(durations + 1);
    });

    it('traces the execution with GenAI agent spans in the trace it returns', async () => {
      const input = 'summarise my account please';
      const { body } = await execute({
        agentType: 'crm',
        input,
        context: { conversationId: 'conv-42' },
      });

      expect(body.traceId).toMatch(/^[0-9a-f]{32}$/);
      const spans = await finishedSpans(body.traceId);
      const invoke = only(spans, 'invoke_agent crm');
      expect(invoke.kind).toBe(SpanKind.INTERNAL);
      expect(invoke.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(invoke.attributes).toMatchObject({
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'crm',
        'gen_ai.agent.id': 'agent-service/crm',
        'gen_ai.provider.name': 'rules',
        'gen_ai.conversation.id': 'conv-42',
      });

      const plan = only(spans, 'plan crm');
      expect(plan.attributes['gen_ai.operation.name']).toBe('plan');
      expect(plan.parentSpanContext?.spanId).toBe(invoke.spanContext().spanId);

      const tools = spans.filter((span) => span.name.startsWith('execute_tool '));
      expect(tools.map((span) => span.name)).toEqual([
        'execute_tool get_user_profile',
        'execute_tool list_orders',
      ]);
      for (const tool of tools) {
        expect(tool.parentSpanContext?.spanId).toBe(invoke.spanContext().spanId);
        expect(tool.attributes).toMatchObject({
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.type': 'function',
          'gen_ai.tool.name': tool.name.replace('execute_tool ', ''),
        });
        expect(tool.attributes['gen_ai.tool.call.id']).toMatch(/^call_/);
      }

      // That the trace continues into the services the tools call is the http
      // instrumentation's work, proven end to end (e2e/): Jest's module registry keeps
      // it from patching node:http here.
      // The caller's words stay out of span attributes.
      for (const span of spans) expect(JSON.stringify(span.attributes)).not.toContain(input);
    });

    it('answers 200 with status "error" when a tool fails, and records the failure', async () => {
      const errors = await metricValue('agent_executions_total', {
        agent_type: 'crm',
        status: 'error',
      });
      const failedCalls = await metricValue('agent_tool_calls_total', {
        tool: 'get_user_profile',
        status: 'error',
      });
      users.handler = () => ({
        status: 503,
        body: { statusCode: 503, error: 'Service Unavailable', message: 'down' },
      });
      try {
        const { status, body } = await execute({ agentType: 'crm', input: 'who am I?' });

        expect(status).toBe(200);
        expect(body.status).toBe('error');
        expect(body.output).toBe(
          'The crm agent could not finish: the get_user_profile step failed (down).',
        );
        expect(body.steps).toEqual([
          expect.objectContaining({
            tool: 'get_user_profile',
            status: 'error',
            result: { error: 'down' },
          }),
        ]);
        expect(orders.requests).toEqual([]);

        const spans = await finishedSpans(body.traceId);
        const tool = only(spans, 'execute_tool get_user_profile');
        expect(tool.status.code).toBe(SpanStatusCode.ERROR);
        expect(tool.attributes['error.type']).toBe('503');
        expect(tool.events.map((event) => event.name)).toContain('exception');
        const invoke = only(spans, 'invoke_agent crm');
        expect(invoke.status.code).toBe(SpanStatusCode.ERROR);
        expect(invoke.attributes['error.type']).toBe('503');
      } finally {
        users.handler = userService;
      }
      expect(
        await metricValue('agent_executions_total', { agent_type: 'crm', status: 'error' }),
      ).toBe(errors + 1);
      expect(
        await metricValue('agent_tool_calls_total', { tool: 'get_user_profile', status: 'error' }),
      ).toBe(failedCalls + 1);
    });
  });

  describe('catalog', () => {
    it('searches by keywords and recommends the best match within the budget', async () => {
      const { body } = await execute({ agentType: 'catalog', input: 'find a laptop under 1500' });

      expect(body.status).toBe('success');
      expect(body.steps.map((step) => step.tool)).toEqual(['search_products', 'get_product']);
      expect(products.requests.map((request) => request.url)).toEqual([
        '/products?q=laptop&limit=5',
        '/products/1',
      ]);
      expect(body.output).toBe(
        'I recommend Ultrabook Lite (laptops) at 899.00, within your budget of 1500.00: ' +
          'Lite ultrabook from the laptops range. 10 in stock. Also worth a look: Gaming Laptop Lite (1299.00).',
      );
    });

    it('falls back to the category it recognises when the keywords match nothing', async () => {
      const { body } = await execute({ agentType: 'catalog', input: 'wireless earbuds below 200' });

      expect(body.steps.map((step) => step.reason)).toEqual([
        'search the catalogue for "wireless earbuds"',
        'nothing matched "wireless earbuds": search the audio category',
        'check the current price and stock of Earbuds Lite',
      ]);
      expect(products.requests.map((request) => request.url)).toEqual([
        '/products?q=wireless+earbuds&limit=5',
        '/products?q=audio&limit=5',
        '/products/4',
      ]);
      expect(body.output).toMatch(
        /^Nothing matched "wireless earbuds", so I looked in audio\. I recommend Earbuds Lite/,
      );
    });

    it('says so when nothing is within the budget, without fetching a product', async () => {
      const { body } = await execute({ agentType: 'catalog', input: 'headphones under 100' });

      expect(body.steps.map((step) => step.tool)).toEqual(['search_products']);
      expect(body.output).toBe(
        'Nothing I found costs 100.00 or less; the cheapest match is Headphones Pro at 249.00.',
      );
    });
  });

  describe('order-assistant', () => {
    it('reports on the most recent order when none is named', async () => {
      const { body } = await execute({ agentType: 'order-assistant', input: 'where is my order?' });

      expect(body.status).toBe('success');
      expect(orders.requests.map((request) => [request.url, request.headers['x-user-id']])).toEqual(
        [
          ['/orders', USER.id],
          [`/orders/${NEWER.id}`, USER.id],
        ],
      );
      expect(body.output).toBe(
        `Order ${NEWER.id}, placed on 2025-03-02, is cancelled and its stock released: 2 x Earbuds Lite; ` +
          'total 20.00. You have 2 orders in all.',
      );
    });

    it('reports on the order named in the input or in context.orderId', async () => {
      const fromInput = await execute({
        agentType: 'order-assistant',
        input: `status of ${OLDER.id.toUpperCase()}?`,
      });
      const fromContext = await execute({
        agentType: 'order-assistant',
        input: 'and this one?',
        context: { orderId: OLDER.id },
      });

      for (const { body } of [fromInput, fromContext]) {
        expect(body.steps[1]).toMatchObject({
          tool: 'get_order',
          reason: `fetch order ${OLDER.id}, named in the request`,
        });
        expect(body.output).toMatch(
          new RegExp(`^Order ${OLDER.id}, placed on 2025-03-01, is confirmed`),
        );
      }
    });

    it('explains an order that does not exist as a failed step', async () => {
      const missing = 'cccccccc-3333-4333-8333-333333333333';
      const { status, body } = await execute({
        agentType: 'order-assistant',
        input: `where is ${missing}`,
      });

      expect(status).toBe(200);
      expect(body.status).toBe('error');
      expect(body.output).toBe(
        `The order-assistant agent could not finish: the get_order step failed (order ${missing} does not exist).`,
      );
    });
  });

  describe('requests it refuses', () => {
    it('401 without the caller header', async () => {
      const response = await post('/agents/execute', { agentType: 'crm', input: 'hi' }, {});
      expect(response.status).toBe(401);
    });

    it('400 for an unknown agent type or a malformed context, before anything runs', async () => {
      const executions = await totalExecutions();

      const unknown = await post('/agents/execute', { agentType: 'poet', input: 'hi' });
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { message: string[] }).message).toEqual([
        expect.stringContaining('agentType'),
      ]);
      const badContext = await post('/agents/execute', {
        agentType: 'order-assistant',
        input: 'hi',
        context: { orderId: 'not-a-uuid' },
      });
      expect(badContext.status).toBe(400);
      expect(await badContext.json()).toMatchObject({
        message: ['context.orderId must be a UUID'],
      });

      expect(await totalExecutions()).toBe(executions);
      expect(orders.requests).toEqual([]);
    });
  });

  describe('slow-agent fault', () => {
    it('delays every step of the agent it targets, and marks the execution faulted', async () => {
      const faults = app.get(FaultRegistry);
      faults.add({ kind: 'slow-agent', delayMs: 100, agentType: 'catalog', ttlSeconds: 60 });
      try {
        const slowed = await timed(() =>
          execute({ agentType: 'catalog', input: 'find a laptop under 1500' }),
        );
        const other = await timed(() => execute({ agentType: 'crm', input: 'who am I?' }));

        expect(slowed.ms).toBeGreaterThanOrEqual(2 * 100);
        const spans = await finishedSpans(slowed.result.body.traceId);
        expect(only(spans, 'invoke_agent catalog').attributes['fault.injected']).toBe('slow-agent');
        const otherSpans = await finishedSpans(other.result.body.traceId);
        expect(only(otherSpans, 'invoke_agent crm').attributes['fault.injected']).toBeUndefined();
      } finally {
        faults.clear();
      }
    });
  });

  function post(
    path: string,
    body: unknown,
    headers: Record<string, string> = { 'x-user-id': USER.id },
  ) {
    return fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  async function execute(body: {
    agentType: string;
    input: string;
    context?: Record<string, unknown>;
  }) {
    const response = await post('/agents/execute', body);
    return { status: response.status, body: (await response.json()) as AgentResultDto };
  }
});

function userService(request: SeenRequest): StubResponse {
  if (request.url === `/internal/users/${USER.id}`) return { status: 200, body: USER };
  return { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'no such user' } };
}

/** Matches like product-service: the whole query within name, description or category. */
function productService(request: SeenRequest): StubResponse {
  const url = new URL(request.url, 'http://stub');
  const byId = /^\/products\/(\d+)$/.exec(url.pathname);
  if (byId) {
    const found = CATALOGUE.find((item) => item.id === Number(byId[1]));
    return found
      ? { status: 200, body: found }
      : { status: 404, body: { statusCode: 404, message: 'no product' } };
  }
  const q = (url.searchParams.get('q') ?? '').toLowerCase();
  const limit = Number(url.searchParams.get('limit') ?? 20);
  const matches = CATALOGUE.filter((item) =>
    [item.name, item.description, item.category].some((text) => text.toLowerCase().includes(q)),
  );
  return {
    status: 200,
    body: { items: matches.slice(0, limit), total: matches.length, limit, offset: 0 },
  };
}

/** Like order-service: only the caller's orders, newest last. */
function orderService(request: SeenRequest): StubResponse {
  if (request.headers['x-user-id'] !== USER.id)
    return { status: 401, body: { statusCode: 401, message: 'who?' } };
  if (request.url === '/orders') return { status: 200, body: [OLDER, NEWER] };
  const id = request.url.replace('/orders/', '');
  const found = [OLDER, NEWER].find((order) => order.id === id);
  if (found) return { status: 200, body: found };
  return {
    status: 404,
    body: { statusCode: 404, error: 'Not Found', message: `order ${id} does not exist` },
  };
}

function product(id: number, name: string, category: string, price: number): ProductDto {
  const [item, edition] = [name.split(' ').slice(0, -1).join(' '), name.split(' ').at(-1)];
  return {
    id,
    name,
    description: `${edition} ${item.toLowerCase()} from the ${category} range.`,
    category,
    price,
    stock: 10,
  };
}

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}
interface StubResponse {
  status: number;
  body: unknown;
}
interface Stub {
  url: string;
  requests: SeenRequest[];
  handler: (request: SeenRequest) => StubResponse;
  close(): Promise<void>;
}

async function startStub(handler: Stub['handler']): Promise<Stub> {
  const server = createServer((request, response) => {
    const seen = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
    };
    stub.requests.push(seen);
    const { status, body } = stub.handler(seen);
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stub: Stub = {
    url: `http://127.0.0.1:${port}`,
    requests: [],
    handler,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return stub;
}

async function finishedSpans(traceId: string): Promise<ReadableSpan[]> {
  await flush();
  return exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
}

function only(spans: ReadableSpan[], name: string): ReadableSpan {
  const named = spans.filter((span) => span.name === name);
  expect(named).toHaveLength(1);
  return named[0];
}

interface Sample {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}

/** A counter's value for one set of labels, or another series of the metric (a histogram's `_count`). */
async function metricValue(
  name: string,
  labels: Record<string, string>,
  series = name,
): Promise<number> {
  const { values } = (await register.getSingleMetric(name)!.get()) as { values: Sample[] };
  const sample = values.find(
    (value) =>
      (value.metricName ?? name) === series &&
      Object.entries(labels).every(([key, expected]) => value.labels[key] === expected),
  );
  return sample?.value ?? 0;
}

async function totalExecutions(): Promise<number> {
  const { values } = (await register.getSingleMetric('agent_executions_total')!.get()) as {
    values: Sample[];
  };
  return values.reduce((sum, value) => sum + value.value, 0);
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const startedAt = performance.now();
  const result = await work();
  return { result, ms: performance.now() - startedAt };
}
