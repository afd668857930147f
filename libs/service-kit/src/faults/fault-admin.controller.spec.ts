import { Controller, Get, type INestApplication, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TelemetryModule } from '@obs/telemetry';
import { configureService } from '../bootstrap/run-service';
import { loadConfig } from '../config/service-config';
import { ServiceKitModule } from '../service-kit.module';

// A service with fault injection enabled, over real HTTP: the admin API that
// drills use, and what the faults do to the requests of the service's users.

const ADMIN_TOKEN = 'drill-admin-token-0123456789';
const config = loadConfig(
  { serviceName: 'product-service' },
  { NODE_ENV: 'test', LOG_LEVEL: 'silent', FAULT_INJECTION: 'enabled', ADMIN_TOKEN },
);

@Controller()
class ItemsController {
  @Get('items/:id')
  get(@Param('id') id: string) {
    return { id };
  }

  @Get('other')
  other() {
    return { ok: true };
  }
}

@Module({
  imports: [
    TelemetryModule.forRoot({ serviceName: config.serviceName, logLevel: 'silent' }),
    ServiceKitModule.forRoot(config),
  ],
  controllers: [ItemsController],
})
class TestAppModule {}

describe('fault injection', () => {
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    app = await NestFactory.create(TestAppModule, { logger: false });
    configureService(app, config);
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  afterEach(async () => {
    expect((await admin('DELETE', '/admin/faults')).status).toBe(204);
  });

  function admin(method: string, path: string, body?: unknown, token = ADMIN_TOKEN) {
    return fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  async function inject(fault: Record<string, unknown>): Promise<{ id: string }> {
    const response = await admin('POST', '/admin/faults', fault);
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string };
  }

  describe('admin API', () => {
    it.each([
      ['no token', ''],
      ['a wrong token of the same length', ADMIN_TOKEN.replace(/.$/, 'X')],
      ['a wrong token of another length', 'nope'],
    ])('answers 401 with %s, for every route', async (_case, token) => {
      for (const [method, path, body] of [
        ['GET', '/admin/faults', undefined],
        ['POST', '/admin/faults', { kind: 'unavailable' }],
        ['DELETE', '/admin/faults', undefined],
      ] as const) {
        const response = await admin(method, path, body, token);
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'a valid admin bearer token is required',
        });
      }
      // Nothing was injected by the refused request.
      expect((await fetch(`${baseUrl}/items/1`)).status).toBe(200);
    });

    it('creates, lists and deletes a fault', async () => {
      const response = await admin('POST', '/admin/faults', {
        kind: 'latency',
        delayMs: 5,
        route: '/items',
        ttlSeconds: 120,
      });
      expect(response.status).toBe(201);
      const fault = (await response.json()) as { id: string; expiresAt: string };
      expect(fault).toEqual({
        kind: 'latency',
        delayMs: 5,
        route: '/items',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        expiresAt: expect.any(String),
      });

      expect(await (await admin('GET', '/admin/faults')).json()).toEqual([fault]);

      expect((await admin('DELETE', `/admin/faults/${fault.id}`)).status).toBe(204);
      expect(await (await admin('GET', '/admin/faults')).json()).toEqual([]);
      const again = await admin('DELETE', `/admin/faults/${fault.id}`);
      expect(again.status).toBe(404);
      expect(((await again.json()) as { message: string }).message).toBe(
        `no active fault ${fault.id}`,
      );
    });

    it('answers 400 for a malformed fault id', async () => {
      const response = await admin('DELETE', '/admin/faults/not-a-uuid');
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toBe('id must be a UUID');
    });

    it.each([
      [{ kind: 'meltdown' }, ['kind']],
      [{ kind: 'latency' }, ['delayMs']],
      [
        { kind: 'error-rate', rate: 2, route: 'items', statusCode: 200 },
        ['rate', 'route', 'statusCode'],
      ],
      [{ kind: 'event-loop-block', blockMs: 100 }, ['intervalMs']],
      [{ kind: 'memory-growth', mbPerSecond: 10 }, ['capMb']],
      [{ kind: 'upstream-failure', upstream: 'payment-service' }, ['upstream']],
      [{ kind: 'unavailable', ttlSeconds: 0, extra: true }, ['ttlSeconds', 'extra']],
    ])('answers 400 naming every bad field of %j', async (fault, fields) => {
      const response = await admin('POST', '/admin/faults', fault);

      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: string; message: string[] };
      expect(body.error).toBe('Bad Request');
      for (const field of fields) {
        expect(body.message.some((message) => message.includes(field))).toBe(true);
      }
      expect(await (await admin('GET', '/admin/faults')).json()).toEqual([]);
    });
  });

  describe('effects on requests', () => {
    it('error-rate answers the chosen status on the chosen route only', async () => {
      await inject({ kind: 'error-rate', rate: 1, statusCode: 502, route: '/items' });

      const faulted = await fetch(`${baseUrl}/items/1`);
      expect(faulted.status).toBe(502);
      expect(await faulted.json()).toEqual({
        statusCode: 502,
        error: 'Bad Gateway',
        message: 'fault injected: error-rate',
      });
      expect((await fetch(`${baseUrl}/other`)).status).toBe(200);
      expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
      expect((await fetch(`${baseUrl}/metrics`)).status).toBe(200);
    });

    it('error-rate defaults to 500', async () => {
      await inject({ kind: 'error-rate', rate: 1 });
      expect((await fetch(`${baseUrl}/other`)).status).toBe(500);
    });

    it('latency delays the requests it matches', async () => {
      await inject({ kind: 'latency', delayMs: 300, route: '/items' });

      const startedAt = performance.now();
      const response = await fetch(`${baseUrl}/items/1`);
      expect(response.status).toBe(200);
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
    });

    it('unavailable answers 503 and fails readiness while liveness holds, until removed', async () => {
      const { id } = await inject({ kind: 'unavailable' });

      const refused = await fetch(`${baseUrl}/items/1`);
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'fault injected: unavailable',
      });
      expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(503);
      const live = await fetch(`${baseUrl}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toMatchObject({ status: 'ok' });

      expect((await admin('DELETE', `/admin/faults/${id}`)).status).toBe(204);
      expect((await fetch(`${baseUrl}/items/1`)).status).toBe(200);
      expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(200);
    });

    it('clears every fault with DELETE /admin/faults', async () => {
      await inject({ kind: 'unavailable' });
      await inject({ kind: 'error-rate', rate: 1 });

      expect((await admin('DELETE', '/admin/faults')).status).toBe(204);
      expect((await fetch(`${baseUrl}/other`)).status).toBe(200);
    });
  });
});
