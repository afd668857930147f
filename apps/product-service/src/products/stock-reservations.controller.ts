import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ReserveStockDto, StockReservationDto } from '@obs/api-contracts';
import { uuidParam } from '@obs/service-kit';
import { ProductsService } from './products.service';

/** Internal routes for order-service; the gateway never exposes them. */
@ApiTags('internal')
@Controller('internal/stock-reservations')
export class StockReservationsController {
  constructor(private readonly products: ProductsService) {}

  @Post()
  @ApiCreatedResponse({ type: StockReservationDto })
  @ApiConflictResponse({
    description: 'A product has fewer units than asked; nothing was reserved.',
  })
  reserve(@Body() request: ReserveStockDto): Promise<StockReservationDto> {
    return this.products.reserve(request.orderId, request.items);
  }

  @Post(':orderId/confirm')
  @HttpCode(200)
  @ApiOkResponse({ description: 'The stock now belongs to the order; confirming again is fine.' })
  @ApiNotFoundResponse({ description: 'No stock was reserved for this order.' })
  @ApiConflictResponse({ description: 'The reservation expired or was released first.' })
  confirm(@Param('orderId', uuidParam('orderId')) orderId: string) {
    return this.products.confirm(orderId);
  }

  @Post(':orderId/release')
  @HttpCode(200)
  release(@Param('orderId', uuidParam('orderId')) orderId: string) {
    return this.products.release(orderId);
  }
}
