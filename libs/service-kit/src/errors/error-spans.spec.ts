// First, so the http instrumentation patches node:http before Express loads it.
import { exporter, flush } from './error-spans.telemetry';
import { PGlite } from '@electric-sql/pglite';
import {
  type CanActivate,
  Controller,
  Get,
  type INestApplication,
  Module,
  Param,
  ServiceUnavailableException,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { TelemetryModule, TRACE_ID_HEADER, useRequestTelemetry } from '@obs/telemetry';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configureService } from '../bootstrap/run-service';
import { loadConfig } from '../config/service-config';

// A service wired as runService wires one, served over real HTTP, with the real SDK and an
// in-memory exporter: the server span of each request shows what the exception filter
// decided, wherever the error was thrown (a handler, a guard, the database).
//
// Jest hands the code it loads its own copy of node:http, which the http instrumentation
// never sees; the app is therefore served by a server from Node's own node:http (the one
// the instrumentation patched), as `node --require instrumentation.js` serves it.

const database = drizzle(new PGlite());

class BrokenGuard implements CanActivate {
  canActivate(): boolean {
    throw new Error('the session store is down');
  }
}

class RefusingGuard implements CanActivate {
  canActivate(): boolean {
    throw new UnauthorizedException('missing bearer token');
  }
}

@Controller()
class ItemsController {
  @Get('broken')
  broken() {
    throw new TypeError('boom');
  }

  @Get('unavailable')
  unavailable() {
    throw new ServiceUnavailableException('user-service is unavailable');
  }

  @Get('guarded-by-broken')
  @UseGuards(BrokenGuard)
  guardedByBroken() {
    return { reached: true };
  }

  @Get('guarded-by-refusing')
  @UseGuards(RefusingGuard)
  guardedByRefusing() {
    return { reached: true };
  }

  /** Stores a user whose email is taken: PostgreSQL refuses the INSERT (23505), a 500. */
  @Get('duplicate-users')
  async duplicateUser() {
    await database.execute(
      sql`insert into users (email, password_hash) values (${TAKEN_EMAIL}, ${PASSWORD_HASH})`,
    );
  }

  /** Stores the path parameter as an integer: PostgreSQL refuses one out of range (22003). */
  @Get('quantities/:value')
  async quantity(@Param('value') value: string) {
    return database.execute(sql`select ${value}::int as quantity`);
  }
}

/** Parameter values of a failed query: they reach neither a log line nor a span. */
const TAKEN_EMAIL = 'taken@example.test';
const PASSWORD_HASH = '$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0LXNhbHQ$c2VjcmV0LWhhc2g';

const config = loadConfig({ serviceName: 'product-service' }, { NODE_ENV: 'test' });

/** The app's log lines, as the OTLP log records are built from them too. */
const logLines: string[] = [];
const logOutput = {
  write(chunk: string) {
    logLines.push(...chunk.split('\n').filter(Boolean));
  },
  flushSync: () => undefined,
};

@Module({
  imports: [TelemetryModule.forRoot({ serviceName: config.serviceName, logOutput })],
  controllers: [ItemsController],
})
class TestAppModule {}

describe('the exception filter on the server span', () => {
  let app: INestApplication;
  let baseUrl: string;

  let server: Server;

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(TestAppModule, {
      logger: false,
      bodyParser: false,
    });
    useRequestTelemetry(app);
    app.useLogger(app.get(Logger));
    configureService(app, config);
    await app.init();
    server = process.getBuiltinModule('node:http').createServer(app.getHttpAdapter().getInstance());
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The embedded engine compiles on its first query: not inside a test's time.
    await database.execute(sql`select 1`);
    await database.execute(
      sql`create table users (email text primary key, password_hash text not null)`,
    );
    await database.execute(sql`insert into users values (${TAKEN_EMAIL}, 'x')`);
  }, 60_000);

  afterAll(async () => {
    await new Promise((closed) => server.close(closed));
    await app.close();
  });

  /** The status the service answered and the server span of that request. */
  async function request(path: string): Promise<{ status: number; span: ReadableSpan }> {
    exporter.reset();
    const response = await fetch(`${baseUrl}${path}`);
    await response.arrayBuffer();
    const traceId = response.headers.get(TRACE_ID_HEADER);
    let span: ReadableSpan | undefined;
    for (let attempt = 0; attempt < 50 && !span; attempt++) {
      await flush();
      span = exporter
        .getFinishedSpans()
        .find((each) => each.kind === SpanKind.SERVER && each.spanContext().traceId === traceId);
      if (!span) await new Promise((wake) => setTimeout(wake, 20));
    }
    if (!span) throw new Error(`no server span for ${path} (trace ${traceId})`);
    return { status: response.status, span };
  }

  const exceptionEvents = (span: ReadableSpan) =>
    span.events.filter((event) => event.name === 'exception');

  it('records an error a handler throws and the service answers 500: exception and ERROR', async () => {
    const { status, span } = await request('/broken');

    expect(status).toBe(500);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(exceptionEvents(span).map((event) => event.attributes)).toEqual([
      expect.objectContaining({ 'exception.type': 'TypeError', 'exception.message': 'boom' }),
    ]);
  });

  it('records an error thrown in a guard, which no interceptor sees, answered 500', async () => {
    const { status, span } = await request('/guarded-by-broken');

    expect(status).toBe(500);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(exceptionEvents(span)[0].attributes).toMatchObject({
      'exception.message': 'the session store is down',
    });
  });

  it('records an HttpException answered with its 5xx', async () => {
    const { status, span } = await request('/unavailable');

    expect(status).toBe(503);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(exceptionEvents(span)[0].attributes).toMatchObject({
      'exception.type': 'ServiceUnavailableException',
    });
  });

  it('leaves a guard refusal (401) unset and without an exception', async () => {
    const { status, span } = await request('/guarded-by-refusing');

    expect(status).toBe(401);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(exceptionEvents(span)).toEqual([]);
  });

  it('leaves a value PostgreSQL refuses as data (SQLSTATE 22003), answered 400, unset', async () => {
    const { status, span } = await request('/quantities/9007199254740992');

    expect(status).toBe(400);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(exceptionEvents(span)).toEqual([]);
  });

  it('logs and records a failed query without its parameter values', async () => {
    logLines.length = 0;
    const { status, span } = await request('/duplicate-users');

    expect(status).toBe(500);
    const [event] = exceptionEvents(span);
    expect(event.attributes).toMatchObject({
      'exception.type': 'DrizzleQueryError',
      'exception.message':
        'Failed query: insert into users (email, password_hash) values ($1, $2): ' +
        'duplicate key value violates unique constraint "users_pkey" (SQLSTATE 23505)',
    });
    const errorLine = logLines.map((line) => JSON.parse(line)).find((line) => 'err' in line);
    expect(errorLine).toMatchObject({
      msg: event.attributes?.['exception.message'],
      err: { type: 'DrizzleQueryError', message: event.attributes?.['exception.message'] },
    });
    expect(errorLine.err.stack).toMatch(/^DrizzleQueryError: Failed query: .*\n {4}at /);
    const recorded = JSON.stringify([logLines, span.events, span.status]);
    for (const secret of [TAKEN_EMAIL, PASSWORD_HASH]) expect(recorded).not.toContain(secret);
  });

  it('answers a value the column holds with 200', async () => {
    const { status, span } = await request('/quantities/7');

    expect(status).toBe(200);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });
});
