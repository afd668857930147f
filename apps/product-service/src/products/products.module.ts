import { Module } from '@nestjs/common';
import { StockReservationsController } from './stock-reservations.controller';
import { ProductsController } from './products.controller';
import { productMetricProviders } from './products.metrics';
import { ProductsRepository } from './products.repository';
import { ProductsService } from './products.service';
import { ReservationSweeper } from './reservation-sweeper';

@Module({
  controllers: [ProductsController, StockReservationsController],
  providers: [ProductsRepository, ProductsService, ReservationSweeper, ...productMetricProviders],
})
export class ProductsModule {}
