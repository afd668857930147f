import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { NestFactory } from '@nestjs/core';
import { configureService, loadConfig } from '@obs/service-kit';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { SERVICE } from './service';

// The gateway over real HTTP, in front of stub services on loopback ports.

const SECRET = 'gateway-spec-secret-0123456789';
const USER_ID = '9a7c1c4e-2f1e-4d6a-8b1c-3e2f1a0b9c8d';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Reply = [status: number, body: unknown];

/** A stub service: answers from `routes`, and records the last request it got. */
async function stub(routes: Record<string, (seen: Seen) => Reply | Promise<Reply>>) {
  const last: { request?: Seen } = {};
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const seen = { method: request.method, url: request.url, headers: request.headers, body };
      last.request = seen;
      const route = routes[`${request.method} ${request.url}`];
      const notFound: Reply = [404, { statusCode: 404, error: 'Not Found', message: 'no route' }];
      void Promise.resolve(route ? route(seen) : notFound).then(([status, payload]) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      });
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, last, close: () => new Promise((closed) => server.close(closed)) };
}

describe('api-gateway', () => {
  let app: INestApplication;
  let gateway: string;
  let users: Awaited<ReturnType<typeof stub>>;
  let products: Awaited<ReturnType<typeof stub>>;
  let token: string;

  beforeAll(async () => {
    users = await stub({
      'GET /users/me': (): Reply => [200, { id: USER_ID, email: 'ada@example.com', name: 'Ada' }],
      'POST /users/register': () => [
        409,
        { statusCode: 409, error: 'Conflict', message: 'email is already registered' },
      ],
    });
    products = await stub({
      'GET /products/1': (): Reply => [200, { id: 1, name: 'Ultrabook Lite' }],
      'GET /products/2': () => [
        500,
        { statusCode: 500, error: 'Internal Server Error', message: 'boom' },
      ],
      'GET /products/3': () =>
        new Promise<Reply>((answer) => setTimeout(() => answer([200, {}]), 1_500)),
    });
    const config = loadConfig(SERVICE, {
      JWT_SECRET: SECRET,
      USER_SERVICE_URL: users.url,
      PRODUCT_SERVICE_URL: products.url,
      // Nothing listens on port 9 of loopback: a downstream that is down.
      ORDER_SERVICE_URL: 'http://127.0.0.1:9',
      UPSTREAM_TIMEOUT_MS: '500',
      LOG_LEVEL: 'silent',
    });
    app = await NestFactory.create(AppModule.forRoot(config), { logger: false });
    configureService(app, config);
    await app.listen(0, '127.0.0.1');
    gateway = await app.getUrl();
    token = await new JwtService({ secret: SECRET }).signAsync({
      sub: USER_ID,
      email: 'ada@example.com',
    });
  });

  afterAll(async () => {
    await app.close();
    await users.close();
    await products.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(gateway + path, { headers });

  it('forwards the verified caller id, never one the client sends', async () => {
    const response = await get('/api/users/me', {
      authorization: `Bearer ${token}`,
      'x-user-id': 'someone-else',
    });
    expect(response.status).toBe(200);
    expect(users.last.request?.headers['x-user-id']).toBe(USER_ID);
    expect(users.last.request?.headers.authorization).toBeUndefined();
  });

  it('rejects a missing, forged or expired token with 401 before calling anyone', async () => {
    users.last.request = undefined;
    const expired = await new JwtService({ secret: SECRET }).signAsync(
      { sub: USER_ID },
      { expiresIn: -10 },
    );
    const forged = await new JwtService({ secret: 'another-secret-0123456789' }).signAsync({
      sub: USER_ID,
    });
    for (const authorization of [undefined, `Bearer ${expired}`, `Bearer ${forged}`, 'Basic abc']) {
      const response = await get('/api/users/me', authorization ? { authorization } : {});
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
    expect(users.last.request).toBeUndefined();
  });

  it('passes a service 4xx on unchanged and validates before forwarding', async () => {
    const conflict = await fetch(`${gateway}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: 'long enough', name: 'Ada' }),
    });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'email is already registered',
    });
    const invalid = await fetch(`${gateway}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'nope' }),
    });
    expect(invalid.status).toBe(400);
  });

  it('maps a service failure to 502, a down service to 503 and a slow one to 504', async () => {
    expect((await get('/api/products/1')).status).toBe(200);
    expect((await get('/api/products/2')).status).toBe(502);
    const down = await get('/api/orders', { authorization: `Bearer ${token}` });
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ message: 'order-service is unavailable' });
    const started = Date.now();
    const slow = await get('/api/products/3');
    expect(slow.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1_400);
  });

  it('counts upstream outcomes by upstream and status', async () => {
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(
      /upstream_requests_total\{upstream="product-service",status_code="500"[^}]*\} 1/,
    );
    expect(metrics).toMatch(
      /upstream_requests_total\{upstream="order-service",status_code="error"[^}]*\} 1/,
    );
    expect(metrics).toMatch(
      /upstream_requests_total\{upstream="product-service",status_code="timeout"[^}]*\} 1/,
    );
  });
});
