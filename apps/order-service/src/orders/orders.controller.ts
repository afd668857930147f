import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
} from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CreateOrderDto, OrderDto } from '@obs/api-contracts';
import { CallerId, uuidParam } from '@obs/service-kit';
import { OrdersService } from './orders.service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key returns the same order.',
  })
  @ApiCreatedResponse({ type: OrderDto })
  @ApiConflictResponse({
    description: 'A product has fewer units than asked; nothing was ordered.',
  })
  place(
    @CallerId() callerId: string,
    @Body() request: CreateOrderDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<OrderDto> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException('Idempotency-Key must be 1 to 200 visible ASCII characters');
    }
    return this.orders.place(callerId, request, idempotencyKey);
  }

  @Get()
  @ApiOkResponse({ type: [OrderDto] })
  list(@CallerId() callerId: string): Promise<OrderDto[]> {
    return this.orders.list(callerId);
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ description: 'No order of the caller has this id.' })
  get(@CallerId() callerId: string, @Param('id', uuidParam('id')) id: string): Promise<OrderDto> {
    return this.orders.get(callerId, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderDto })
  cancel(
    @CallerId() callerId: string,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<OrderDto> {
    return this.orders.cancel(callerId, id);
  }
}
