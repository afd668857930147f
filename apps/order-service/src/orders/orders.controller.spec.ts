import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { OrderDto, OrderItemInputDto, StockReservationDto } from '@obs/api-contracts';
import { configureService, loadConfig } from '@obs/service-kit';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import { SERVICE } from '../service';

// The real service over HTTP with its orders in the embedded engine under a
// temporary DATA_DIR, calling stub user- and product-services on loopback ports.

const ADA = '0b6f3c1e-5d2a-4e8b-9c7d-1a2b3c4d5e6f';
const GRACE = '6a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const DELETED_USER = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';

/** What the stub product-service charges and holds. */
const CATALOGUE = new Map([
  [1, { name: 'Ultrabook Pro', price: 899.99 }],
  [2, { name: 'USB-C Hub Lite', price: 19.5 }],
  [3, { name: 'Ultrabook Pro Limited Edition', price: 1299 }],
]);
const LIMITED_STOCK = 1;

interface SeenRequest {
  method?: string;
  url?: string;
  body: unknown;
}

/** Like product-service: product 3 has one unit; a reservation per order id. */
class StubProductService {
  readonly requests: SeenRequest[] = [];
  /** Overrides the unit price it charges, to make an order impossible to save. */
  priceOverride: number | undefined;
  /** Overrides the answer to confirm and release calls, as a down or expired product-service would. */
  confirmStatus = 200;
  releaseStatus = 200;

  handle(request: SeenRequest): { status: number; body: unknown } {
    const release = /^\/internal\/stock-reservations\/([^/]+)\/release$/.exec(request.url ?? '');
    if (release) return answer(this.releaseStatus, { orderId: release[1], releasedItems: 1 });
    const confirm = /^\/internal\/stock-reservations\/([^/]+)\/confirm$/.exec(request.url ?? '');
    if (confirm) return answer(this.confirmStatus, { orderId: confirm[1], status: 'confirmed' });
    const { orderId, items } = request.body as { orderId: string; items: OrderItemInputDto[] };
    const short = items.find((item) => item.productId === 3 && item.quantity > LIMITED_STOCK);
    if (short) {
      return {
        status: 409,
        body: {
          statusCode: 409,
          error: 'Conflict',
          message: `not enough stock for product ${short.productId}`,
        },
      };
    }
    const reservation: StockReservationDto = {
      orderId,
      items: items.map(({ productId, quantity }) => ({
        productId,
        name: CATALOGUE.get(productId)!.name,
        quantity,
        unitPrice: this.priceOverride ?? CATALOGUE.get(productId)!.price,
      })),
    };
    return { status: 201, body: reservation };
  }

  reservations(): SeenRequest[] {
    return this.requests.filter((request) => request.url === '/internal/stock-reservations');
  }

  confirmations(): string[] {
    return this.requests
      .map((request) => /^\/internal\/stock-reservations\/(.+)\/confirm$/.exec(request.url ?? ''))
      .filter((match) => match !== null)
      .map((match) => match[1]);
  }

  releases(): string[] {
    return this.requests
      .map((request) => /^\/internal\/stock-reservations\/(.+)\/release$/.exec(request.url ?? ''))
      .filter((match) => match !== null)
      .map((match) => match[1]);
  }
}

describe('order-service', () => {
  const products = new StubProductService();
  let dataDir: string;
  let userStub: Server;
  let productStub: Server;
  let app: INestApplication;
  let baseUrl: string;

  // The embedded database takes a few seconds to start, more on a busy machine.
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'order-service-'));
    userStub = await startStub((request) =>
      [ADA, GRACE].some((id) => request.url === `/internal/users/${id}`)
        ? { status: 200, body: { id: request.url!.split('/').pop(), email: 'x@example.com' } }
        : { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'no such user' } },
    );
    productStub = await startStub((request) => {
      products.requests.push(request);
      return products.handle(request);
    });
    const config = loadConfig(SERVICE, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
      // Short, so the reconciler's passes happen within a test.
      ORDER_RECONCILE_INTERVAL_MS: '200',
      USER_SERVICE_URL: urlOf(userStub),
      PRODUCT_SERVICE_URL: urlOf(productStub),
    });
    app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
    configureService(app, config);
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  }, 30_000);

  afterAll(async () => {
    await app.close();
    await Promise.all([userStub, productStub].map((server) => closeServer(server)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    products.requests.length = 0;
    products.priceOverride = undefined;
    products.confirmStatus = 200;
    products.releaseStatus = 200;
  });

  function request(path: string, userId?: string, init: RequestInit = {}) {
    return fetch(`${baseUrl}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(userId ? { 'x-user-id': userId } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  }

  function place(userId: string, items: OrderItemInputDto[], headers: Record<string, string> = {}) {
    return request('/orders', userId, { method: 'POST', body: JSON.stringify({ items }), headers });
  }

  async function placed(userId: string, items: OrderItemInputDto[]): Promise<OrderDto> {
    const response = await place(userId, items);
    expect(response.status).toBe(201);
    return (await response.json()) as OrderDto;
  }

  async function ordersOf(userId: string): Promise<OrderDto[]> {
    return (await (await request('/orders', userId)).json()) as OrderDto[];
  }

  async function metric(series: string): Promise<number> {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const line = text.split('\n').find((row) => row.startsWith(`${series} `));
    return Number(line?.split(' ')[1] ?? 0);
  }
  const created = (status: string) =>
    metric(`orders_created_total{status="${status}",service="order-service"}`);

  describe('placing an order', () => {
    it('reserves the stock, totals the reserved prices and keeps the order', async () => {
      const confirmed = await created('confirmed');
      const value = await metric('order_value_total{service="order-service"}');

      const response = await place(ADA, [
        { productId: 1, quantity: 2 },
        { productId: 2, quantity: 1 },
      ]);

      expect(response.status).toBe(201);
      const order = (await response.json()) as OrderDto;
      expect(order).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'confirmed',
        total: 1819.48,
        items: expect.arrayContaining([
          { productId: 1, name: 'Ultrabook Pro', quantity: 2, unitPrice: 899.99 },
          { productId: 2, name: 'USB-C Hub Lite', quantity: 1, unitPrice: 19.5 },
        ]),
        createdAt: expect.any(String),
      });
      // The stock is held under the order's own id.
      const [reservation] = products.reservations();
      expect(reservation.body).toEqual({
        orderId: order.id,
        items: [
          { productId: 1, quantity: 2 },
          { productId: 2, quantity: 1 },
        ],
      });
      expect(await (await request(`/orders/${order.id}`, ADA)).json()).toEqual(order);
      expect((await ordersOf(ADA)).map((listed) => listed.id)).toContain(order.id);
      expect(await created('confirmed')).toBe(confirmed + 1);
      expect(await metric('order_value_total{service="order-service"}')).toBeCloseTo(
        value + 1819.48,
        2,
      );
    });

    it('returns the first order for a retry with the same Idempotency-Key, reserving once', async () => {
      const headers = { 'idempotency-key': 'checkout-7f3a' };

      const first = await place(ADA, [{ productId: 2, quantity: 3 }], headers);
      const retry = await place(ADA, [{ productId: 2, quantity: 3 }], headers);

      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      const order = (await first.json()) as OrderDto;
      expect(await retry.json()).toEqual(order);
      expect(products.reservations()).toHaveLength(1);
      expect((await ordersOf(ADA)).filter((listed) => listed.id === order.id)).toHaveLength(1);

      // The key belongs to the caller: another user's order with it is a new order.
      const other = await placed(GRACE, [{ productId: 2, quantity: 3 }]);
      expect(other.id).not.toBe(order.id);
    });

    it.each([
      ['spaces', 'not a valid key'],
      ['more than 200 characters', 'k'.repeat(201)],
    ])('answers 400 for an Idempotency-Key with %s, calling nobody', async (_case, key) => {
      const response = await place(ADA, [{ productId: 1, quantity: 1 }], {
        'idempotency-key': key,
      });

      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toBe(
        'Idempotency-Key must be 1 to 200 visible ASCII characters',
      );
      expect(products.requests).toEqual([]);
    });

    it('passes on 409 when stock is short, saving nothing and counting a rejected order', async () => {
      const rejected = await created('rejected');
      const before = await ordersOf(ADA);

      const response = await place(ADA, [
        { productId: 1, quantity: 1 },
        { productId: 3, quantity: 2 },
      ]);

      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: 'not enough stock for product 3',
      });
      expect(await ordersOf(ADA)).toEqual(before);
      expect(await created('rejected')).toBe(rejected + 1);
    });

    it('answers 401 for a caller whose account no longer exists, reserving nothing', async () => {
      const response = await place(DELETED_USER, [{ productId: 1, quantity: 1 }]);

      expect(response.status).toBe(401);
      expect(((await response.json()) as { message: string }).message).toBe(
        'the account no longer exists',
      );
      expect(products.requests).toEqual([]);
    });

    it('gives the stock back when the order cannot be saved', async () => {
      const failed = await created('failed');
      const before = await ordersOf(ADA);
      // A price too large for the orders table: the reservation succeeds, the save fails.
      products.priceOverride = 30_000_000;

      const response = await place(ADA, [{ productId: 1, quantity: 1 }]);

      // PostgreSQL refuses the total as data (22003), which the error filter answers 400.
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message:
          'a value in the request cannot be stored: value "3000000000" is out of range for type integer',
      });
      const [reservation] = products.reservations();
      const { orderId } = reservation.body as { orderId: string };
      expect(products.releases()).toEqual([orderId]);
      expect(await ordersOf(ADA)).toEqual(before);
      expect(await created('failed')).toBe(failed + 1);
    });
  });

  describe('after a failure half-way', () => {
    const reconciled = (result: string) =>
      metric(`orders_reconciled_total{result="${result}",service="order-service"}`);

    it('confirms the reservation before the order shows, and a retry with the key finishes it', async () => {
      const headers = { 'idempotency-key': 'checkout-half-way' };
      products.confirmStatus = 503;

      const cut = await place(ADA, [{ productId: 2, quantity: 1 }], headers);

      expect(cut.status).toBe(503);
      const [first] = products.reservations();
      const { orderId } = first.body as { orderId: string };
      // Saved as pending: not an order the API shows yet.
      expect((await request(`/orders/${orderId}`, ADA)).status).toBe(404);

      products.confirmStatus = 200;
      const retry = await place(ADA, [{ productId: 2, quantity: 1 }], headers);

      expect(retry.status).toBe(201);
      const order = (await retry.json()) as OrderDto;
      expect(order).toMatchObject({ id: orderId, status: 'confirmed', total: 19.5 });
      // The retry held the same reservation: one order id throughout.
      expect(
        products.reservations().map((seen) => (seen.body as { orderId: string }).orderId),
      ).toEqual([orderId, orderId]);
      expect(products.confirmations()).toContain(orderId);
    });

    it('drops a pending order whose reservation expired, and confirms one whose reservation holds', async () => {
      const abandoned = await reconciled('abandoned');
      const confirmed = await reconciled('confirmed');
      products.confirmStatus = 409;
      expect((await place(GRACE, [{ productId: 1, quantity: 1 }])).status).toBe(503);
      const [expired] = products.reservations();
      const expiredId = (expired.body as { orderId: string }).orderId;

      await eventually(async () => (await reconciled('abandoned')) > abandoned);
      expect((await ordersOf(GRACE)).map((order) => order.id)).not.toContain(expiredId);

      products.confirmStatus = 503;
      expect((await place(GRACE, [{ productId: 2, quantity: 2 }])).status).toBe(503);
      const heldId = (products.reservations()[1].body as { orderId: string }).orderId;
      products.confirmStatus = 200;

      await eventually(async () => (await reconciled('confirmed')) > confirmed);
      expect(await (await request(`/orders/${heldId}`, GRACE)).json()).toMatchObject({
        id: heldId,
        status: 'confirmed',
      });
    });

    it('shows a cancel whose release failed as cancelled, and releases the stock later', async () => {
      const order = await placed(ADA, [{ productId: 1, quantity: 1 }]);
      const cancelledLater = await reconciled('cancelled');
      products.releaseStatus = 503;

      const cancel = await request(`/orders/${order.id}/cancel`, ADA, { method: 'POST' });

      expect(cancel.status).toBe(503);
      expect(await (await request(`/orders/${order.id}`, ADA)).json()).toMatchObject({
        status: 'cancelled',
      });
      products.releaseStatus = 200;
      await eventually(async () => (await reconciled('cancelled')) > cancelledLater);
      expect(products.releases().filter((id) => id === order.id).length).toBeGreaterThanOrEqual(2);
    });
  });

  describe('reading orders', () => {
    it('shows a user only their own orders; another user’s id is 404', async () => {
      const adas = await placed(ADA, [{ productId: 2, quantity: 1 }]);

      const asGrace = await request(`/orders/${adas.id}`, GRACE);
      expect(asGrace.status).toBe(404);
      expect(await asGrace.json()).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: `order ${adas.id} does not exist`,
      });
      expect((await ordersOf(GRACE)).map((order) => order.id)).not.toContain(adas.id);
      const cancelAsGrace = await request(`/orders/${adas.id}/cancel`, GRACE, { method: 'POST' });
      expect(cancelAsGrace.status).toBe(404);
      expect(products.releases()).toEqual([]);
    });

    it('answers 401 without the caller header and 400 for a malformed order id', async () => {
      expect((await request('/orders')).status).toBe(401);
      expect((await request('/orders/not-a-uuid', ADA)).status).toBe(400);
    });
  });

  describe('cancelling an order', () => {
    it('releases the stock once and marks the order cancelled; cancelling again changes nothing', async () => {
      const order = await placed(ADA, [{ productId: 1, quantity: 1 }]);
      products.requests.length = 0;

      const first = await request(`/orders/${order.id}/cancel`, ADA, { method: 'POST' });
      const again = await request(`/orders/${order.id}/cancel`, ADA, { method: 'POST' });

      expect(first.status).toBe(200);
      const cancelled = (await first.json()) as OrderDto;
      expect(cancelled).toEqual({ ...order, status: 'cancelled' });
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual(cancelled);
      expect(products.releases()).toEqual([order.id]);
      expect(await (await request(`/orders/${order.id}`, ADA)).json()).toEqual(cancelled);
    });
  });
});

function answer(status: number, body: unknown): { status: number; body: unknown } {
  return status < 400
    ? { status, body }
    : { status, body: { statusCode: status, error: 'Error', message: `answered ${status}` } };
}

/** Polls until `check` holds, for what the reconciler does in the background. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((wake) => setTimeout(wake, 50));
  }
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startStub(
  handle: (request: SeenRequest) => { status: number; body: unknown },
): Promise<Server> {
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const { status, body } = handle({
        method: request.method,
        url: request.url,
        body: text ? JSON.parse(text) : undefined,
      });
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
