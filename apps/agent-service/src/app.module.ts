import { type DynamicModule, Module } from '@nestjs/common';
import { type ServiceConfig, ServiceKitModule } from '@obs/service-kit';
import { TelemetryModule } from '@obs/telemetry';
import { AgentsModule } from './agents/agents.module';

@Module({})
export class AppModule {
  static forRoot(this: void, config: ServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TelemetryModule.forRoot({ serviceName: config.serviceName, logLevel: config.LOG_LEVEL }),
        ServiceKitModule.forRoot(config),
        AgentsModule,
      ],
    };
  }
}
