import { Body, Controller, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiErrors,
  ReserveStockDto,
  StockConfirmationDto,
  StockReleaseDto,
  StockReservationDto,
} from '@obs/api-contracts';
import { RecordCallerInterceptor, uuidParam } from '@obs/service-kit';
import { ProductsService } from './products.service';

/** Internal routes for order-service; the gateway never exposes them. */
@ApiTags('internal')
@Controller('internal/stock-reservations')
// order-service reserves stock for the user placing or cancelling an order.
@UseInterceptors(RecordCallerInterceptor)
export class StockReservationsController {
  constructor(private readonly products: ProductsService) {}

  @Post()
  @ApiCreatedResponse({ type: StockReservationDto })
  @ApiErrors(
    400,
    [404, 'A product does not exist; nothing was reserved.'],
    [409, 'A product has fewer units than asked; nothing was reserved.'],
    413,
  )
  reserve(@Body() request: ReserveStockDto): Promise<StockReservationDto> {
    return this.products.reserve(request.orderId, request.items);
  }

  @Post(':orderId/confirm')
  @HttpCode(200)
  @ApiOkResponse({
    type: StockConfirmationDto,
    description: 'The stock now belongs to the order; confirming again is fine.',
  })
  @ApiErrors(
    400,
    [404, 'No stock was reserved for this order.'],
    [409, 'The reservation expired or was released first.'],
  )
  confirm(@Param('orderId', uuidParam('orderId')) orderId: string): Promise<StockConfirmationDto> {
    return this.products.confirm(orderId);
  }

  @Post(':orderId/release')
  @HttpCode(200)
  @ApiOkResponse({ type: StockReleaseDto })
  @ApiErrors(400)
  release(@Param('orderId', uuidParam('orderId')) orderId: string) {
    return this.products.release(orderId);
  }
}
