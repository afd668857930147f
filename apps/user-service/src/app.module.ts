import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule, ServiceKitModule } from '@obs/service-kit';
import { TelemetryModule } from '@obs/telemetry';
import { MIGRATIONS_FOLDER } from './database/migrations-folder';
import * as schema from './database/schema';
import { UsersModule } from './users/users.module';
import type { UserServiceConfig } from './service';

@Module({})
export class AppModule {
  static forRoot(this: void, config: UserServiceConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TelemetryModule.forRoot({ serviceName: config.serviceName, logLevel: config.LOG_LEVEL }),
        ServiceKitModule.forRoot(config),
        DatabaseModule.forRoot({ schema, migrationsFolder: MIGRATIONS_FOLDER }),
        UsersModule,
      ],
    };
  }
}
