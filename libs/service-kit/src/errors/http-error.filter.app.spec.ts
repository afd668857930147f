import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TelemetryModule, useRequestTelemetry } from '@obs/telemetry';
import { Logger } from 'nestjs-pino';
import { CallerId } from '../auth/caller-id.decorator';
import { HttpErrorFilter } from './http-error.filter';

// The filter and the caller-id decorator in a real app on the real telemetry module, as
// runService builds one; its log lines go to an array instead of stdout.

const lines: Record<string, unknown>[] = [];
const logOutput = {
  write(chunk: string) {
    for (const line of chunk.split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  },
  flushSync: () => undefined,
};

@Controller()
class ProbeController {
  @Get('broken')
  broken() {
    throw new RangeError('the ledger is out of balance', { cause: new Error('disk full') });
  }

  @Get('mine')
  mine(@CallerId() callerId: string) {
    return { callerId };
  }
}

@Module({
  imports: [TelemetryModule.forRoot({ serviceName: 'test-service', logOutput })],
  controllers: [ProbeController],
})
class TestAppModule {}

describe('HttpErrorFilter and CallerId in a running app', () => {
  let app: INestApplication;
  let baseUrl: string;

  beforeAll(async () => {
    app = await NestFactory.create<NestExpressApplication>(TestAppModule, {
      bufferLogs: true,
      bodyParser: false,
    });
    useRequestTelemetry(app);
    app.useLogger(app.get(Logger));
    app.useGlobalFilters(new HttpErrorFilter());
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    lines.length = 0;
  });

  async function lineWhere(match: (line: Record<string, unknown>) => boolean) {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = lines.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such line in ${JSON.stringify(lines)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('logs an unexpected exception as a structured err, not its stack as the message', async () => {
    const response = await fetch(`${baseUrl}/broken`);
    expect(response.status).toBe(500);

    const line = await lineWhere((entry) => 'err' in entry);
    expect(line).toMatchObject({
      level: 'error',
      context: 'HttpErrorFilter',
      msg: 'the ledger is out of balance',
      err: { type: 'RangeError', message: 'the ledger is out of balance' },
    });
    expect((line.err as { stack: string }).stack).toMatch(
      /^RangeError: the ledger is out of balance\n {4}at /,
    );
    expect(line.msg).not.toContain('\n');
  });

  it('puts the caller the gateway forwarded on the request line as user.id', async () => {
    const userId = '0b9f7a2e-3c1d-4e5f-8a6b-7c8d9e0f1a2b';
    const response = await fetch(`${baseUrl}/mine`, { headers: { 'x-user-id': userId } });
    expect(response.status).toBe(200);

    const line = await lineWhere((entry) => entry.msg === 'request completed');
    expect(line).toMatchObject({ route: '/mine', path: '/mine', 'user.id': userId });
  });

  it('leaves user.id off when no caller was given', async () => {
    expect((await fetch(`${baseUrl}/mine`)).status).toBe(401);

    const line = await lineWhere((entry) => entry.msg === 'request completed');
    expect(line).toMatchObject({ route: '/mine', status_code: 401 });
    expect(line).not.toHaveProperty('user.id');
  });
});
