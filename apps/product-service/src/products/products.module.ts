import { Module } from '@nestjs/common';
import { StockReservationsController } from './stock-reservations.controller';
import { ProductsController } from './products.controller';
import { productMetricProviders } from './products.metrics';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';

@Module({
  controllers: [ProductsController, StockReservationsController],
  providers: [ProductsRepository, ProductsService, ...productMetricProviders],
})
export class ProductsModule {}
