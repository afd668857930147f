import {
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
  type OnModuleInit,
} from '@nestjs/common';
import type {
  ListProductsQuery,
  OrderItemInputDto,
  ProductDto,
  ProductPageDto,
  StockReservationDto,
} from '@obs/api-contracts';
import { SERVICE_CONFIG } from '@obs/service-kit';
import { InjectMetric, InjectPinoLogger, PinoLogger, Span } from '@obs/telemetry';
import type { Counter } from 'prom-client';
import type { ProductServiceConfig } from '../service';
import { catalogueSeed } from './catalogue-seed';
import {
  type ProductRow,
  ProductsRepository,
  type Reservation,
  ReservationRefused,
} from './products.repository';
import { STOCK_RESERVATIONS_TOTAL } from './products.metrics';

/** Reservations expired per sweep transaction at most, so one sweep never holds the database long. */
const SWEEP_BATCH = 100;

@Injectable()
export class ProductsService implements OnModuleInit {
  constructor(
    private readonly products: ProductsRepository,
    @InjectMetric(STOCK_RESERVATIONS_TOTAL) private readonly reservations: Counter<'result'>,
    @InjectPinoLogger(ProductsService.name) private readonly logger: PinoLogger,
    @Inject(SERVICE_CONFIG) private readonly config: ProductServiceConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const seeded = await this.products.seedIfEmpty(catalogueSeed());
    if (seeded > 0) this.logger.info({ products: seeded }, 'catalogue seeded');
  }

  async list(query: ListProductsQuery): Promise<ProductPageDto> {
    const { items, total } = await this.products.findPage(query);
    return { items: items.map(toProductDto), total, limit: query.limit, offset: query.offset };
  }

  async get(id: number): Promise<ProductDto> {
    const product = await this.products.findById(id);
    if (!product) throw new NotFoundException(`product ${id} does not exist`);
    return toProductDto(product);
  }

  /** Holds the stock for the order until it confirms, or for RESERVATION_TTL_MS at most. */
  async reserve(orderId: string, items: OrderItemInputDto[]): Promise<StockReservationDto> {
    const expiresAt = new Date(Date.now() + this.config.RESERVATION_TTL_MS);
    try {
      const reservation = await this.products.reserve(orderId, mergeLines(items), expiresAt);
      this.reservations.inc({ result: 'reserved' });
      return { orderId, items: await this.describe(reservation) };
    } catch (error) {
      if (!(error instanceof ReservationRefused)) throw error;
      if (error.reason === 'unknown-product') {
        throw new NotFoundException(`product ${error.productId} does not exist`);
      }
      this.reservations.inc({ result: 'insufficient' });
      throw new ConflictException(`not enough stock for product ${error.productId}`);
    }
  }

  /** The order is saved: its stock stays taken. 409 once the reservation expired or was released. */
  async confirm(orderId: string): Promise<{ orderId: string; status: 'confirmed' }> {
    if (await this.products.confirm(orderId)) {
      this.reservations.inc({ result: 'confirmed' });
      return { orderId, status: 'confirmed' };
    }
    const reservation = await this.products.findReservation(orderId);
    if (!reservation) throw new NotFoundException(`no stock is reserved for order ${orderId}`);
    if (reservation.status !== 'confirmed') {
      throw new ConflictException(`the reservation of order ${orderId} is ${reservation.status}`);
    }
    return { orderId, status: 'confirmed' };
  }

  async release(orderId: string): Promise<{ orderId: string; releasedItems: number }> {
    const released = await this.products.release(orderId);
    if (released.length > 0) this.reservations.inc({ result: 'released' });
    return { orderId, releasedItems: released.length };
  }

  /** Returns the stock of pending reservations no order confirmed in time; how many expired. */
  @Span()
  async expireOverdue(): Promise<number> {
    const items = await this.products.expireOverdue(new Date(), SWEEP_BATCH);
    const orderIds = [...new Set(items.map((item) => item.orderId))];
    if (orderIds.length > 0) {
      this.reservations.inc({ result: 'expired' }, orderIds.length);
      this.logger.warn(
        { orderIds, units: items.reduce((sum, item) => sum + item.quantity, 0) },
        'unconfirmed reservations expired; their stock is back',
      );
    }
    return orderIds.length;
  }

  private async describe(reservation: Reservation) {
    return Promise.all(
      reservation.items.map(async (row) => ({
        productId: row.productId,
        name: (await this.products.findById(row.productId))?.name ?? `product ${row.productId}`,
        quantity: row.quantity,
        unitPrice: row.unitPriceCents / 100,
      })),
    );
  }
}

/** One line per product: a client may list the same product twice. */
function mergeLines(items: OrderItemInputDto[]): OrderItemInputDto[] {
  const quantities = new Map<number, number>();
  for (const { productId, quantity } of items) {
    quantities.set(productId, (quantities.get(productId) ?? 0) + quantity);
  }
  return [...quantities].map(([productId, quantity]) => ({ productId, quantity }));
}

function toProductDto(row: ProductRow): ProductDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    category: row.category,
    price: row.priceCents / 100,
    stock: row.stock,
  };
}
