import {
  type DynamicModule,
  Global,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SERVICE_CONFIG } from './config/config.token';
import type { ServiceConfig } from './config/service-config';
import { AdminTokenGuard, FaultAdminController } from './faults/fault-admin.controller';
import { FaultMiddleware } from './faults/fault.middleware';
import { FaultRegistry } from './faults/fault-registry';
import { HealthController } from './health/health.controller';
import { Readiness } from './health/readiness';
import { UpstreamClients } from './upstream/upstream-client';

/**
 * What every service has besides telemetry: its validated config, health
 * endpoints, clients for the services it calls and, for drills only, faults.
 */
@Global()
@Module({})
export class ServiceKitModule implements NestModule {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {}

  static forRoot(config: ServiceConfig): DynamicModule {
    const faultsEnabled = config.FAULT_INJECTION === 'enabled';
    const configProvider = { provide: SERVICE_CONFIG, useValue: config };
    return {
      module: ServiceKitModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: faultsEnabled ? [HealthController, FaultAdminController] : [HealthController],
      providers: [configProvider, Readiness, FaultRegistry, UpstreamClients, AdminTokenGuard],
      exports: [configProvider, Readiness, FaultRegistry, UpstreamClients],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (this.config.FAULT_INJECTION === 'enabled')
      consumer.apply(FaultMiddleware).forRoutes('{*path}');
  }
}
