import { HttpException, type INestApplication } from '@nestjs/common';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register } from 'prom-client';
import { toErrorBody } from '../errors/http-error.filter';
import { FaultRegistry } from '../faults/fault-registry';
import { type UpstreamClient, UpstreamClients } from './upstream-client';
import { startUpstreamTestApp } from './upstream-test-app';

// UpstreamClient as services get it from Nest, calling a node:http stub on a
// loopback port, a port nothing listens on, and a stub that never answers.

const TIMEOUT_MS = 200;

interface SeenRequest {
  /** The caller's port: the same for calls over one kept-alive connection. */
  port?: number;
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('UpstreamClient', () => {
  const seen: SeenRequest[] = [];
  let stub: Server;
  let app: INestApplication;
  let products: UpstreamClient;
  let users: UpstreamClient;
  let orders: UpstreamClient;

  beforeAll(async () => {
    stub = await listen(
      createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          seen.push({
            port: request.socket.remotePort,
            method: request.method,
            url: request.url,
            headers: request.headers,
            body,
          });
          const reply = (status: number, payload: unknown) =>
            response
              .writeHead(status, { 'content-type': 'application/json' })
              .end(JSON.stringify(payload));
          switch (request.url) {
            case '/products/1':
              return reply(200, { id: 1, name: 'Ultrabook Lite' });
            case '/internal/stock-reservations':
              return reply(201, { orderId: JSON.parse(body).orderId, items: [] });
            case '/products/404':
              return reply(404, { statusCode: 404, error: 'Not Found', message: 'no product 404' });
            case '/products/409':
              return reply(409, { statusCode: 409, error: 'Conflict', message: 'stock short' });
            case '/products/500':
              return reply(500, { statusCode: 500, message: 'database exploded' });
            case '/products/503':
              return reply(503, { statusCode: 503, message: 'draining' });
            case '/products/not-json':
              return response.writeHead(200).end('<html>oops</html>');
            case '/orders/slow':
              return; // never answers
            case '/orders/stalled':
              return response.writeHead(200).write('{"id":'); // begins, never ends
            default:
              return reply(404, { statusCode: 404, message: 'unknown stub route' });
          }
        });
      }),
    );
    // A port that was just free: nothing accepts connections on it.
    const closedPort = await listen(createServer()).then(async (server) => {
      const { port } = server.address() as AddressInfo;
      await new Promise((resolve) => server.close(resolve));
      return port;
    });

    const stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
    app = await startUpstreamTestApp({
      PRODUCT_SERVICE_URL: stubUrl,
      ORDER_SERVICE_URL: stubUrl,
      USER_SERVICE_URL: `http://127.0.0.1:${closedPort}`,
      UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    const clients = app.get(UpstreamClients);
    products = clients.for('product-service');
    users = clients.for('user-service');
    orders = clients.for('order-service');
  });

  afterAll(async () => {
    await app.close();
    stub.closeAllConnections();
    await new Promise((resolve) => stub.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('returns the status and parsed JSON body of a 2xx answer', async () => {
    expect(await products.request('/products/1')).toEqual({
      status: 200,
      body: { id: 1, name: 'Ultrabook Lite' },
    });
    expect(await products.expectOk('/products/1')).toEqual({ id: 1, name: 'Ultrabook Lite' });
  });

  it('sends a JSON body and only the headers it is given', async () => {
    const orderId = '7f1b0a52-8d7e-4c39-9a43-2f7c1d9e0b11';
    await products.expectOk('/internal/stock-reservations', {
      method: 'POST',
      body: { orderId, items: [{ productId: 1, quantity: 2 }] },
      headers: { 'x-user-id': 'user-1', 'idempotency-key': undefined },
    });

    const [request] = seen;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-user-id']).toBe('user-1');
    expect(request.headers).not.toHaveProperty('idempotency-key');
    expect(JSON.parse(request.body)).toEqual({
      orderId,
      items: [{ productId: 1, quantity: 2 }],
    });
  });

  it('hands a 4xx back to request(), and expectOk passes it on as the client’s mistake', async () => {
    expect(await products.request('/products/404')).toMatchObject({ status: 404 });

    for (const [path, status, message] of [
      ['/products/404', 404, 'no product 404'],
      ['/products/409', 409, 'stock short'],
    ] as const) {
      const error = await failure(products.expectOk(path));
      expect(toErrorBody(error)).toMatchObject({ statusCode: status, message });
    }
  });

  it('turns an upstream 5xx into 502, and keeps 503 as it came', async () => {
    expect(toErrorBody(await failure(products.expectOk('/products/500')))).toEqual({
      statusCode: 502,
      error: 'Bad Gateway',
      message: 'product-service failed with status 500',
    });
    expect(toErrorBody(await failure(products.expectOk('/products/503'))).statusCode).toBe(503);
  });

  it('answers 502 when the upstream sends something that is not JSON', async () => {
    const error = await failure(products.request('/products/not-json'));
    expect(toErrorBody(error)).toMatchObject({
      statusCode: 502,
      message: 'product-service sent a response that is not JSON',
    });
  });

  it('answers 503 at once when nothing listens, counted as status_code="error"', async () => {
    const errors = await upstreamCount('user-service', 'error');

    const error = await failure(users.request('/internal/users/1'));

    expect(toErrorBody(error)).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'user-service is unavailable',
    });
    expect(await upstreamCount('user-service', 'error')).toBe(errors + 1);
  });

  it('answers 504 once the deadline passes, counted as status_code="timeout"', async () => {
    const timeouts = await upstreamCount('order-service', 'timeout');
    const startedAt = performance.now();

    const error = await failure(orders.request('/orders/slow'));

    expect(toErrorBody(error)).toEqual({
      statusCode: 504,
      error: 'Gateway Timeout',
      message: `order-service did not answer within ${TIMEOUT_MS} ms`,
    });
    const elapsed = performance.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 2_000);
    expect(await upstreamCount('order-service', 'timeout')).toBe(timeouts + 1);
  });

  it('answers 504 when the answer begins but stalls past the deadline', async () => {
    const error = await failure(orders.request('/orders/stalled'));
    expect(toErrorBody(error).statusCode).toBe(504);
  });

  it('keeps the connection alive between calls', async () => {
    for (let call = 0; call < 6; call++) await products.request('/products/1');
    expect(seen).toHaveLength(6);
    expect(new Set(seen.map((request) => request.port)).size).toBe(1);
  });

  it('counts and times every answered call by its HTTP status', async () => {
    const ok = await upstreamCount('product-service', '200');
    const notFound = await upstreamCount('product-service', '404');
    const durations = await upstreamDurations('product-service', '200');

    await products.request('/products/1');
    await products.request('/products/404');

    expect(await upstreamCount('product-service', '200')).toBe(ok + 1);
    expect(await upstreamCount('product-service', '404')).toBe(notFound + 1);
    expect(await upstreamDurations('product-service', '200')).toBe(durations + 1);
  });

  it('fails calls to the upstream an upstream-failure fault names, without calling it', async () => {
    const faults = app.get(FaultRegistry);
    faults.add({ kind: 'upstream-failure', upstream: 'product-service' });
    try {
      const errors = await upstreamCount('product-service', 'error');

      const error = await failure(products.request('/products/1'));

      expect(toErrorBody(error).statusCode).toBe(503);
      expect(seen).toEqual([]);
      expect(await upstreamCount('product-service', 'error')).toBe(errors + 1);
      // Other upstreams are not affected.
      await expect(orders.request('/orders/1')).resolves.toMatchObject({ status: 404 });
    } finally {
      faults.clear();
    }
    await expect(products.expectOk('/products/1')).resolves.toMatchObject({ id: 1 });
  });
});

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function failure(call: Promise<unknown>): Promise<HttpException> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(HttpException);
  return error as HttpException;
}

interface Sample {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}

async function samples(name: string): Promise<Sample[]> {
  return ((await register.getSingleMetric(name)!.get()) as { values: Sample[] }).values;
}

async function upstreamCount(upstream: string, statusCode: string): Promise<number> {
  const found = (await samples('upstream_requests_total')).find(
    (sample) => sample.labels.upstream === upstream && sample.labels.status_code === statusCode,
  );
  return found?.value ?? 0;
}

async function upstreamDurations(upstream: string, statusCode: string): Promise<number> {
  const found = (await samples('upstream_request_duration_seconds')).find(
    (sample) =>
      sample.metricName === 'upstream_request_duration_seconds_count' &&
      sample.labels.upstream === upstream &&
      sample.labels.status_code === statusCode,
  );
  return found?.value ?? 0;
}
