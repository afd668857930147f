import { Module } from '@nestjs/common';
import { OrdersController } from './orders.controller';
import { orderMetricProviders } from './orders.metrics';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

@Module({
  controllers: [OrdersController],
  providers: [OrdersRepository, OrdersService, ...orderMetricProviders],
})
export class OrdersModule {}
