import { type DynamicModule, type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { useRequestTelemetry } from '@obs/telemetry';
import { Logger } from 'nestjs-pino';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ConfigOf,
  loadConfig,
  type ServiceConfig,
  type ServiceDefinition,
} from '../config/service-config';
import { HttpErrorFilter } from '../errors/http-error.filter';
import { Readiness } from '../health/readiness';

/** Pipes, filters and docs every service shares; tests apply it to apps they build themselves. */
export function configureService(app: INestApplication, config: ServiceConfig): void {
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
    }),
  );
  app.useGlobalFilters(new HttpErrorFilter());
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(config.serviceName).addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

/**
 * Starts a service: builds the app, serves it on PORT, and on SIGTERM or SIGINT
 * stops accepting work, lets in-flight requests finish, flushes telemetry and exits 0.
 */
export async function runService<Definition extends ServiceDefinition>(
  service: Definition,
  rootModule: (config: ConfigOf<Definition>) => DynamicModule,
): Promise<INestApplication> {
  const config = loadConfigOrExit(service);
  const app = await NestFactory.create<NestExpressApplication>(rootModule(config), {
    bufferLogs: true,
    // Mounted below, after the request telemetry: a request the parser rejects
    // (malformed JSON, a body over the limit) is still measured and logged.
    bodyParser: false,
  });
  useRequestTelemetry(app);
  app.useBodyParser('json');
  app.useBodyParser('urlencoded', { extended: true });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  configureService(app, config);
  await app.listen(config.PORT);
  app.get(Logger).log(`${config.serviceName} listening on port ${config.PORT}`);
  exitOnSignals(app, config);
  return app;
}

/** Invalid configuration stops the service with one line naming each offending variable. */
function loadConfigOrExit<Definition extends ServiceDefinition>(
  service: Definition,
): ConfigOf<Definition> {
  try {
    return loadConfig(service);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', service: service.serviceName, msg: message })}\n`,
    );
    process.exit(1);
  }
}

/**
 * On SIGTERM or SIGINT: /health/ready answers 503 at once, the listener keeps serving for
 * SHUTDOWN_DRAIN_MS so load balancers stop sending work, then closes; requests in flight
 * finish, and storage and telemetry close after the last of them.
 */
function exitOnSignals(app: INestApplication, config: ServiceConfig): void {
  const { SHUTDOWN_DRAIN_MS: drainMs, SHUTDOWN_TIMEOUT_MS: timeoutMs } = config;
  let closing = false;
  const close = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    const logger = app.get(Logger);
    logger.log(`${signal} received: not ready, closing the listener in ${drainMs} ms`);
    app.get(Readiness).markShuttingDown();
    setTimeout(() => {
      logger.error(`shutdown took longer than ${timeoutMs} ms; exiting anyway`);
      process.exit(1);
    }, timeoutMs).unref();
    sleep(drainMs)
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(error);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}
