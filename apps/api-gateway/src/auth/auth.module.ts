import { Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { SERVICE_CONFIG } from '@obs/service-kit';
import { createSecretKey } from 'node:crypto';
import type { GatewayConfig } from '../service';
import { AuthController } from './auth.controller';
import { JwtAuthGuard } from './jwt-auth.guard';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [SERVICE_CONFIG],
      // A key object, not the string: given a string, jsonwebtoken first tries to
      // parse it as a public key, and throws and catches on every verification.
      useFactory: (config: GatewayConfig) => ({
        secret: createSecretKey(Buffer.from(config.JWT_SECRET)),
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [JwtAuthGuard],
  exports: [JwtModule, JwtAuthGuard],
})
export class AuthModule {}
