import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { type ServiceConfig, SERVICE_CONFIG } from '@obs/service-kit';
import { AuthController } from './auth.controller';
import { JwtAuthGuard } from './jwt-auth.guard';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [SERVICE_CONFIG],
      useFactory: (config: ServiceConfig) => ({ secret: config.JWT_SECRET }),
    }),
  ],
  controllers: [AuthController],
  providers: [JwtAuthGuard],
  exports: [JwtModule, JwtAuthGuard],
})
export class AuthModule {}
