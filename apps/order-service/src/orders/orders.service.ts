import {
  HttpException,
  HttpStatus,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type { CreateOrderDto, OrderDto, StockReservationDto, UserDto } from '@obs/api-contracts';
import { type UpstreamClient, UpstreamClients, upstreamFailure } from '@obs/service-kit';
import { InjectMetric, InjectPinoLogger, PinoLogger, Span } from '@obs/telemetry';
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import { ORDER_VALUE_TOTAL, ORDERS_CANCELLED_TOTAL, ORDERS_CREATED_TOTAL } from './orders.metrics';
import { type OrderWithItems, OrdersRepository } from './orders.repository';

const LIST_LIMIT = 50;

@Injectable()
export class OrdersService {
  private readonly users: UpstreamClient;
  private readonly products: UpstreamClient;

  constructor(
    private readonly orders: OrdersRepository,
    upstreams: UpstreamClients,
    @InjectMetric(ORDERS_CREATED_TOTAL) private readonly created: Counter<'status'>,
    @InjectMetric(ORDER_VALUE_TOTAL) private readonly value: Counter,
    @InjectMetric(ORDERS_CANCELLED_TOTAL) private readonly cancelled: Counter,
    @InjectPinoLogger(OrdersService.name) private readonly logger: PinoLogger,
  ) {
    this.users = upstreams.for('user-service');
    this.products = upstreams.for('product-service');
  }

  /**
   * Checks the user, reserves the stock, then saves the order. A retry with the
   * same Idempotency-Key returns the order the first attempt made.
   */
  async place(userId: string, request: CreateOrderDto, idempotencyKey?: string): Promise<OrderDto> {
    if (idempotencyKey) {
      const previous = await this.orders.findByIdempotencyKey(userId, idempotencyKey);
      if (previous) return toOrderDto(previous);
    }
    try {
      await this.checkUserExists(userId);
      const orderId = randomUUID();
      const reservation = await this.reserveStock(orderId, request);
      const order = await this.save(userId, reservation, idempotencyKey);
      this.created.inc({ status: 'confirmed' });
      this.value.inc(order.totalCents / 100);
      return toOrderDto(order);
    } catch (error) {
      // product-service's 409 arrives as the HttpException relaying its answer.
      const stockShort =
        error instanceof HttpException && error.getStatus() === HttpStatus.CONFLICT;
      this.created.inc({ status: stockShort ? 'rejected' : 'failed' });
      throw error;
    }
  }

  async list(userId: string): Promise<OrderDto[]> {
    return (await this.orders.listForUser(userId, LIST_LIMIT)).map(toOrderDto);
  }

  async get(userId: string, id: string): Promise<OrderDto> {
    return toOrderDto(await this.find(userId, id));
  }

  /** Releases the order's stock, then marks it cancelled; cancelling twice changes nothing. */
  async cancel(userId: string, id: string): Promise<OrderDto> {
    const order = await this.find(userId, id);
    if (order.status === 'cancelled') return toOrderDto(order);
    await this.products.expectOk(`/internal/stock-reservations/${id}/release`, { method: 'POST' });
    await this.orders.markCancelled(id);
    this.cancelled.inc();
    return toOrderDto(await this.find(userId, id));
  }

  private async find(userId: string, id: string): Promise<OrderWithItems> {
    // Another user's order is reported exactly like a missing one.
    const order = await this.orders.findForUser(userId, id);
    if (!order) throw new NotFoundException(`order ${id} does not exist`);
    return order;
  }

  @Span()
  private async checkUserExists(userId: string): Promise<void> {
    const response = await this.users.request<UserDto>(
      `/internal/users/${encodeURIComponent(userId)}`,
    );
    if (response.status === 404) throw new UnauthorizedException('the account no longer exists');
    if (response.status >= 400) throw upstreamFailure(this.users.name, response);
  }

  @Span()
  private reserveStock(orderId: string, request: CreateOrderDto): Promise<StockReservationDto> {
    return this.products.expectOk<StockReservationDto>('/internal/stock-reservations', {
      method: 'POST',
      body: { orderId, items: request.items },
    });
  }

  /** Saves the reserved order; if that fails the stock goes back, so none is lost. */
  private async save(userId: string, reservation: StockReservationDto, idempotencyKey?: string) {
    const items = reservation.items.map((item) => ({
      productId: item.productId,
      name: item.name,
      quantity: item.quantity,
      unitPriceCents: Math.round(item.unitPrice * 100),
    }));
    let saved: OrderWithItems | undefined;
    try {
      saved = await this.orders.insert({
        id: reservation.orderId,
        userId,
        status: 'confirmed',
        totalCents: items.reduce((sum, item) => sum + item.unitPriceCents * item.quantity, 0),
        idempotencyKey: idempotencyKey ?? null,
        items,
      });
    } catch (error) {
      await this.releaseQuietly(reservation.orderId);
      throw error;
    }
    if (saved) return saved;
    // A concurrent retry with the same key won the race: keep its order, return our stock.
    await this.releaseQuietly(reservation.orderId);
    const winner =
      idempotencyKey && (await this.orders.findByIdempotencyKey(userId, idempotencyKey));
    if (!winner) throw new HttpException('order could not be saved', 500);
    return winner;
  }

  /** Compensation after a failed save: the original error is what the client must see. */
  private async releaseQuietly(orderId: string): Promise<void> {
    try {
      await this.products.expectOk(`/internal/stock-reservations/${orderId}/release`, {
        method: 'POST',
      });
    } catch (error) {
      // The reservation stays recorded under this order id, so it can be released later.
      this.logger.error({ orderId, err: error }, 'could not release the stock of an unsaved order');
    }
  }
}

function toOrderDto(order: OrderWithItems): OrderDto {
  return {
    id: order.id,
    status: order.status,
    total: order.totalCents / 100,
    items: order.items.map((item) => ({
      productId: item.productId,
      name: item.name,
      quantity: item.quantity,
      unitPrice: item.unitPriceCents / 100,
    })),
    createdAt: order.createdAt.toISOString(),
  };
}
