import {
  Body,
  Controller,
  Get,
  type INestApplication,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Request } from 'express';
import { InjectPinoLogger, LoggerModule, PinoLogger } from 'nestjs-pino';
import { Writable } from 'node:stream';
import { isoTime, loggerParams } from './logger-options';
import { RequestLogMiddleware } from './request-log.middleware';

// The module's logger settings and request log line in a real Nest app, writing to a stream the test
// reads instead of stdout.

const lines: Record<string, unknown>[] = [];
const output = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

@Controller()
class TestController {
  constructor(@InjectPinoLogger('TestController') private readonly logger: PinoLogger) {}

  @Get('items/:id')
  get(@Param('id') id: string) {
    return { id };
  }

  @Get('broken')
  broken() {
    throw new Error('boom');
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

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }
}

@Module({
  imports: [LoggerModule.forRoot(loggerParams({ serviceName: 'test-service' }, output))],
  controllers: [TestController],
})
class TestAppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestLogMiddleware).forRoutes('{*path}');
  }
}

describe('loggerParams', () => {
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    app = await NestFactory.create(TestAppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    lines.length = 0;
  });

  /** Waits for the request's log line, written once the response has finished. */
  async function requestLog(): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = lines.filter((line) => 'status_code' in line);
      if (found.length > 0) {
        expect(found).toHaveLength(1);
        return found[0];
      }
      if (Date.now() > deadline) throw new Error('no request log line was written');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('writes one JSON line per request with the contract fields', async () => {
    await fetch(`${baseUrl}/items/42`);

    const line = await requestLog();
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
    await fetch(`${baseUrl}/no/such/path`);
    expect(await requestLog()).toMatchObject({
      level: 'warn',
      route: 'unmatched',
      status_code: 404,
      msg: 'request completed',
    });

    lines.length = 0;
    await fetch(`${baseUrl}/broken`);
    expect(await requestLog()).toMatchObject({
      level: 'error',
      route: '/broken',
      status_code: 500,
      msg: 'request failed',
    });
  });

  it('does not log health checks or scrapes', async () => {
    await fetch(`${baseUrl}/health/live`);
    await fetch(`${baseUrl}/metrics`);
    await fetch(`${baseUrl}/items/1`);

    expect((await requestLog()).route).toBe('/items/:id');
  });

  it('redacts authorization headers, cookies, passwords and tokens wherever they are logged', async () => {
    const secrets = ['Bearer eyJ.user.token', 'session=abc123', 'hunter2-password', 'eyJ.secret'];
    await fetch(`${baseUrl}/sessions`, {
      method: 'POST',
      headers: {
        authorization: secrets[0],
        cookie: secrets[1],
        'content-type': 'application/json',
      },
      body: JSON.stringify({ email: 'ada@example.com', password: secrets[2] }),
    });
    await requestLog();

    const attempt = lines.find((line) => line.msg === 'login attempt');
    expect(attempt).toMatchObject({
      level: 'info',
      service: 'test-service',
      credentials: { email: 'ada@example.com', password: '[redacted]' },
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
    });
    const headersSeen = lines.find((line) => line.msg === 'headers seen');
    expect(headersSeen).toMatchObject({
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
      new RegExp([...secrets, 'eyJ.bound.token', 'session=bound'].join('|')),
    );
  });
});

describe('isoTime', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each([
    '2025-03-01T10:00:00.000Z',
    '2025-03-01T10:00:00.007Z',
    '2025-03-01T10:00:00.042Z',
    '2025-03-01T10:00:00.999Z',
    '2025-03-01T10:00:01.000Z',
    '2025-12-31T23:59:59.500Z',
  ])('writes %s as pino does', (iso) => {
    const time = isoTime();
    jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2025-03-01T09:59:59.999Z'));
    time(); // a line one second earlier: the cached second must move on
    jest.spyOn(Date, 'now').mockReturnValue(Date.parse(iso));
    expect(time()).toBe(`,"time":"${iso}"`);
  });
});
