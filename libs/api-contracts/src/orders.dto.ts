import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { INT32_MAX } from './limits';

export class OrderItemInputDto {
  @ApiProperty({ minimum: 1, maximum: INT32_MAX, example: 1 })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  productId: number;

  @ApiProperty({ minimum: 1, maximum: 100, example: 2 })
  @IsInt()
  @Min(1)
  @Max(100)
  quantity: number;
}

export class CreateOrderDto {
  @ApiProperty({ type: [OrderItemInputDto], minItems: 1, maxItems: 50 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OrderItemInputDto)
  items: OrderItemInputDto[];
}

export const ORDER_STATUSES = ['confirmed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export class OrderItemDto {
  @ApiProperty()
  productId: number;

  @ApiProperty()
  name: string;

  @ApiProperty()
  quantity: number;

  @ApiProperty()
  unitPrice: number;
}

export class OrderDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ORDER_STATUSES })
  status: OrderStatus;

  @ApiProperty()
  total: number;

  @ApiProperty({ type: [OrderItemDto] })
  items: OrderItemDto[];

  @ApiProperty()
  createdAt: string;
}

/** Internal: order-service asks product-service to hold stock for one order. */
export class ReserveStockDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  orderId: string;

  @ApiProperty({ type: [OrderItemInputDto], minItems: 1, maxItems: 50 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OrderItemInputDto)
  items: OrderItemInputDto[];
}

/** Internal: the reservation now belongs to a saved order. */
export class StockConfirmationDto {
  @ApiProperty({ format: 'uuid' })
  orderId: string;

  @ApiProperty({ enum: ['confirmed'] })
  status: 'confirmed';
}

/** Internal: what product-service released when an order was cancelled. */
export class StockReleaseDto {
  @ApiProperty({ format: 'uuid' })
  orderId: string;

  @ApiProperty({ description: 'Order lines whose reserved units went back to stock.' })
  releasedItems: number;
}

/** Internal: what product-service reserved, with the prices it charged. */
export class StockReservationDto {
  @ApiProperty({ format: 'uuid' })
  orderId: string;

  @ApiProperty({ type: [OrderItemDto] })
  items: OrderItemDto[];
}
