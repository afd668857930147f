import { type DynamicModule, Module } from '@nestjs/common';
import { ServiceKitModule } from '@obs/service-kit';
import { TelemetryModule } from '@obs/telemetry';
import { AgentsModule } from './agents/agents.module';
import { AuthModule } from './auth/auth.module';
import { OrdersModule } from './orders/orders.module';
import { ProductsModule } from './products/products.module';
import { UsersModule } from './users/users.module';
import type { GatewayConfig } from './service';

@Module({})
export class AppModule {
  static forRoot(this: void, config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TelemetryModule.forRoot({ serviceName: config.serviceName, logLevel: config.LOG_LEVEL }),
        ServiceKitModule.forRoot(config),
        AuthModule,
        UsersModule,
        ProductsModule,
        OrdersModule,
        AgentsModule,
      ],
    };
  }
}
