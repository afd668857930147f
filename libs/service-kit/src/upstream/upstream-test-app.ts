import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TelemetryModule } from '@obs/telemetry';
import { loadConfig } from '../config/service-config';
import { ServiceKitModule } from '../service-kit.module';

/**
 * For the UpstreamClient specs: a Nest app with the telemetry and service-kit modules, configured
 * from `env` (upstream URLs, timeouts) the way a service is, so `app.get(UpstreamClients)` gives
 * clients wired exactly as in production.
 */
export async function startUpstreamTestApp(env: Record<string, string>): Promise<INestApplication> {
  const config = loadConfig(
    { serviceName: 'agent-service' },
    { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
  );

  @Module({
    imports: [
      TelemetryModule.forRoot({ serviceName: config.serviceName, logLevel: 'silent' }),
      ServiceKitModule.forRoot(config),
    ],
  })
  class TestAppModule {}

  const app = await NestFactory.create(TestAppModule, { logger: false });
  await app.init();
  return app;
}
