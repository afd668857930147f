import { Module } from '@nestjs/common';
import { OrderReconciler } from './order-reconciler';
import { OrdersController } from './orders.controller';
import { orderMetricProviders } from './orders.metrics';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

@Module({
  controllers: [OrdersController],
  providers: [OrdersRepository, OrdersService, OrderReconciler, ...orderMetricProviders],
})
export class OrdersModule {}
