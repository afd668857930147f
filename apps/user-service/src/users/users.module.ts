import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { SERVICE_CONFIG } from '@obs/service-kit';
import type { UserServiceConfig } from '../service';
import { UsersController } from './users.controller';
import { userMetricProviders } from './users.metrics';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [SERVICE_CONFIG],
      useFactory: (config: UserServiceConfig) => ({
        secret: config.JWT_SECRET,
        signOptions: { expiresIn: config.JWT_EXPIRES_IN_SECONDS },
      }),
    }),
  ],
  controllers: [UsersController],
  providers: [UsersRepository, UsersService, ...userMetricProviders],
})
export class UsersModule {}
