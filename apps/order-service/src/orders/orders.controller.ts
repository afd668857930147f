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
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CreateOrderDto, OrderDto, UPSTREAM_ERRORS } from '@obs/api-contracts';
import { CALLER_ID_HEADER, CallerId, uuidParam } from '@obs/service-kit';
import { OrdersService } from './orders.service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

const NO_CALLER = [401, `No ${CALLER_ID_HEADER} header, or the account no longer exists.`] as const;
const NOT_THE_CALLERS = [404, 'No order of the caller has this id.'] as const;

@ApiTags('orders')
@ApiHeader({
  name: CALLER_ID_HEADER,
  required: true,
  description: 'The caller, set by the gateway.',
})
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

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
    [...NO_CALLER],
    [404, 'A product does not exist; nothing was ordered.'],
    [409, 'A product has fewer units than asked; nothing was ordered.'],
    413,
    ...UPSTREAM_ERRORS,
  )
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
  @ApiErrors([400, 'The caller id is not a user id.'], [...NO_CALLER])
  list(@CallerId() callerId: string): Promise<OrderDto[]> {
    return this.orders.list(callerId);
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderDto })
  @ApiErrors(400, [...NO_CALLER], [...NOT_THE_CALLERS])
  get(@CallerId() callerId: string, @Param('id', uuidParam('id')) id: string): Promise<OrderDto> {
    return this.orders.get(callerId, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderDto })
  @ApiErrors(400, [...NO_CALLER], [...NOT_THE_CALLERS], ...UPSTREAM_ERRORS)
  cancel(
    @CallerId() callerId: string,
    @Param('id', uuidParam('id')) id: string,
  ): Promise<OrderDto> {
    return this.orders.cancel(callerId, id);
  }
}
