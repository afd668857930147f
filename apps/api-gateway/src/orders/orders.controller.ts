import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors, CreateOrderDto, OrderDto, UPSTREAM_ERRORS } from '@obs/api-contracts';
import {
  CALLER_ID_HEADER,
  type UpstreamClient,
  UpstreamClients,
  uuidParam,
} from '@obs/service-kit';
import type { Response } from 'express';
import { Caller } from '../auth/caller.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import { relay } from '../proxy/relay';

@ApiTags('orders')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('api/orders')
export class OrdersController {
  private readonly orders: UpstreamClient;

  constructor(upstreams: UpstreamClients) {
    this.orders = upstreams.for('order-service');
  }

  @Post()
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key returns the same order.',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
  })
  @ApiCreatedResponse({ type: OrderDto })
  @ApiErrors(
    400,
    401,
    [404, 'A product does not exist; nothing was ordered.'],
    [409, 'A product has fewer units than asked; nothing was ordered.'],
    413,
    ...UPSTREAM_ERRORS,
  )
  place(
    @Caller() callerId: string,
    @Body() request: CreateOrderDto,
    @Res({ passthrough: true }) response: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return relay<OrderDto>(this.orders, '/orders', response, {
      method: 'POST',
      body: request,
      headers: { [CALLER_ID_HEADER]: callerId, 'idempotency-key': idempotencyKey },
    });
  }

  @Get()
  @ApiOkResponse({ type: [OrderDto] })
  @ApiErrors(401, ...UPSTREAM_ERRORS)
  list(@Caller() callerId: string, @Res({ passthrough: true }) response: Response) {
    return relay<OrderDto[]>(this.orders, '/orders', response, {
      headers: { [CALLER_ID_HEADER]: callerId },
    });
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderDto })
  @ApiErrors(400, 401, [404, 'No order of the caller has this id.'], ...UPSTREAM_ERRORS)
  get(
    @Caller() callerId: string,
    @Param('id', uuidParam('id')) id: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return relay<OrderDto>(this.orders, `/orders/${id}`, response, {
      headers: { [CALLER_ID_HEADER]: callerId },
    });
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderDto })
  @ApiErrors(400, 401, [404, 'No order of the caller has this id.'], ...UPSTREAM_ERRORS)
  cancel(
    @Caller() callerId: string,
    @Param('id', uuidParam('id')) id: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    return relay<OrderDto>(this.orders, `/orders/${id}/cancel`, response, {
      method: 'POST',
      headers: { [CALLER_ID_HEADER]: callerId },
    });
  }
}
