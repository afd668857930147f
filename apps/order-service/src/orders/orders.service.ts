import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type {
  CreateOrderDto,
  OrderDto,
  OrderStatus,
  StockReservationDto,
  UserDto,
} from '@obs/api-contracts';
import {
  SERVICE_CONFIG,
  type UpstreamClient,
  UpstreamClients,
  onBehalfOf,
  upstreamFailure,
} from '@obs/service-kit';
import { InjectMetric, InjectPinoLogger, PinoLogger, Span } from '@obs/telemetry';
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import type { OrderState } from '../database/schema';
import type { OrderServiceConfig } from '../service';
import { orderIdFor } from './order-id';
import {
  ORDER_VALUE_TOTAL,
  ORDERS_CANCELLED_TOTAL,
  ORDERS_CREATED_TOTAL,
  ORDERS_RECONCILED_TOTAL,
} from './orders.metrics';
import { type OrderRow, type OrderWithItems, OrdersRepository } from './orders.repository';

const LIST_LIMIT = 50;
/** Unsettled orders finished per reconciliation pass at most. */
const RECONCILE_BATCH = 100;

/**
 * Orders span two databases: the stock in product-service's, the order in ours.
 * Placing one is reserve (pending, expires) → save the order as pending →
 * confirm the reservation → mark the order confirmed. A crash at any point
 * leaves either a reservation that expires back into stock, or a pending order
 * that the reconciler, or a retry with the same Idempotency-Key, finishes.
 */
@Injectable()
export class OrdersService {
  private readonly users: UpstreamClient;
  private readonly products: UpstreamClient;

  constructor(
    private readonly orders: OrdersRepository,
    upstreams: UpstreamClients,
    @Inject(SERVICE_CONFIG) private readonly config: OrderServiceConfig,
    @InjectMetric(ORDERS_CREATED_TOTAL) private readonly created: Counter<'status'>,
    @InjectMetric(ORDER_VALUE_TOTAL) private readonly value: Counter,
    @InjectMetric(ORDERS_CANCELLED_TOTAL) private readonly cancelled: Counter,
    @InjectMetric(ORDERS_RECONCILED_TOTAL) private readonly reconciled: Counter<'result'>,
    @InjectPinoLogger(OrdersService.name) private readonly logger: PinoLogger,
  ) {
    this.users = upstreams.for('user-service');
    this.products = upstreams.for('product-service');
  }

  /**
   * Checks the user, reserves the stock, saves the order and confirms it. A
   * retry with the same Idempotency-Key returns the order the first attempt
   * made, or finishes it if that attempt was cut short.
   */
  async place(userId: string, request: CreateOrderDto, idempotencyKey?: string): Promise<OrderDto> {
    const previous = idempotencyKey
      ? await this.orders.findByIdempotencyKey(userId, idempotencyKey)
      : undefined;
    if (previous && previous.status !== 'pending') return toOrderDto(previous);
    try {
      await this.checkUserExists(userId);
      const orderId =
        previous?.id ?? (idempotencyKey ? orderIdFor(userId, idempotencyKey) : randomUUID());
      const reservation = await this.reserveStock(userId, orderId, request);
      const saved = await this.save(userId, reservation, idempotencyKey);
      // Past pending already: a concurrent retry with the same key finished it.
      if (saved.status !== 'pending') return toOrderDto(saved);
      const order = await this.confirm(saved);
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

  /**
   * Records the cancellation, releases the stock, then marks the order
   * cancelled; cancelling twice changes nothing. Should the release fail, the
   * order stays `cancelling` and the reconciler (or a second cancel) finishes it.
   */
  async cancel(userId: string, id: string): Promise<OrderDto> {
    const order = await this.find(userId, id);
    if (order.status === 'cancelled') return toOrderDto(order);
    if (await this.orders.markCancelling(id)) this.cancelled.inc();
    await this.releaseStock(id, userId);
    await this.orders.markCancelled(id);
    return toOrderDto(await this.find(userId, id));
  }

  /**
   * Finishes the orders a crash left half done, oldest first: a pending order
   * is confirmed while its reservation holds, or dropped once it expired (the
   * client never got it); a cancelling order gets its stock released.
   */
  @Span()
  async reconcile(): Promise<void> {
    // Orders changed within the last interval may still belong to a live request.
    const before = new Date(Date.now() - this.config.ORDER_RECONCILE_INTERVAL_MS);
    for (const order of await this.orders.findUnsettled(before, RECONCILE_BATCH)) {
      try {
        const result =
          order.status === 'pending'
            ? await this.settlePending(order, before)
            : await this.settleCancelling(order);
        this.reconciled.inc({ result });
        this.logger.warn({ orderId: order.id, result }, 'unsettled order reconciled');
      } catch (error) {
        this.logger.warn({ orderId: order.id, err: error }, 'order not reconciled; retrying later');
      }
    }
  }

  private async settlePending(order: OrderRow, before: Date): Promise<'confirmed' | 'abandoned'> {
    const answer = await this.products.request(`/internal/stock-reservations/${order.id}/confirm`, {
      method: 'POST',
    });
    if (answer.status < 400) {
      await this.orders.markConfirmed(order.id);
      return 'confirmed';
    }
    if (answer.status !== HttpStatus.CONFLICT && answer.status !== HttpStatus.NOT_FOUND) {
      throw upstreamFailure(this.products.name, answer);
    }
    // The stock went back to the shelf: without a reservation the order cannot stand.
    await this.orders.deletePending(order.id, before);
    return 'abandoned';
  }

  private async settleCancelling(order: OrderRow): Promise<'cancelled'> {
    await this.releaseStock(order.id);
    await this.orders.markCancelled(order.id);
    return 'cancelled';
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
      onBehalfOf(userId),
    );
    if (response.status === 404) throw new UnauthorizedException('the account no longer exists');
    if (response.status >= 400) throw upstreamFailure(this.users.name, response);
  }

  /** Holds the stock under the order's id until we confirm it, or until it expires. */
  @Span()
  private reserveStock(
    userId: string,
    orderId: string,
    request: CreateOrderDto,
  ): Promise<StockReservationDto> {
    return this.products.expectOk<StockReservationDto>('/internal/stock-reservations', {
      method: 'POST',
      body: { orderId, items: request.items },
      ...onBehalfOf(userId),
    });
  }

  /** Saves the reserved order as pending; if that fails the stock goes back, so none is held. */
  private async save(userId: string, reservation: StockReservationDto, idempotencyKey?: string) {
    const items = reservation.items.map((item) => ({
      productId: item.productId,
      name: item.name,
      quantity: item.quantity,
      unitPriceCents: Math.round(item.unitPrice * 100),
    }));
    try {
      return await this.orders.savePending({
        id: reservation.orderId,
        userId,
        totalCents: items.reduce((sum, item) => sum + item.unitPriceCents * item.quantity, 0),
        idempotencyKey: idempotencyKey ?? null,
        items,
      });
    } catch (error) {
      await this.releaseQuietly(reservation.orderId, userId);
      throw error;
    }
  }

  /** Makes the reservation permanent, then the order: from here the order stands. */
  @Span()
  private async confirm(order: OrderWithItems): Promise<OrderWithItems> {
    const answer = await this.products.request(`/internal/stock-reservations/${order.id}/confirm`, {
      method: 'POST',
      ...onBehalfOf(order.userId),
    });
    if (answer.status === HttpStatus.CONFLICT) {
      // Only a request slower than RESERVATION_TTL_MS gets here; the reconciler drops the order.
      throw new ServiceUnavailableException('the stock reservation expired; place the order again');
    }
    if (answer.status >= 400) throw upstreamFailure(this.products.name, answer);
    await this.orders.markConfirmed(order.id);
    return { ...order, status: 'confirmed' };
  }

  /** With `userId` for a user's request; without, on the service's own account (the reconciler). */
  @Span()
  private async releaseStock(orderId: string, userId?: string): Promise<void> {
    await this.products.expectOk(`/internal/stock-reservations/${orderId}/release`, {
      method: 'POST',
      ...(userId ? onBehalfOf(userId) : {}),
    });
  }

  /** Compensation after a failed save: the original error is what the client must see. */
  private async releaseQuietly(orderId: string, userId: string): Promise<void> {
    try {
      await this.releaseStock(orderId, userId);
    } catch (error) {
      // The reservation is pending: it expires and the sweeper returns its stock.
      this.logger.error({ orderId, err: error }, 'could not release the stock of an unsaved order');
    }
  }
}

function toOrderDto(order: OrderWithItems): OrderDto {
  return {
    id: order.id,
    status: apiStatus(order.status),
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

function apiStatus(state: OrderState): OrderStatus {
  if (state === 'pending') throw new Error('a pending order is never shown');
  // A cancelling order is cancelled for its owner; only the stock release is still under way.
  return state === 'cancelling' ? 'cancelled' : state;
}
