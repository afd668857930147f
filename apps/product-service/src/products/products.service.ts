import {
  ConflictException,
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
import { InjectMetric, InjectPinoLogger, PinoLogger } from '@obs/telemetry';
import type { Counter } from 'prom-client';
import { catalogueSeed } from './catalogue-seed';
import {
  type ProductRow,
  ProductsRepository,
  ReservationRefused,
  type ReservationRow,
} from './products.repository';
import { STOCK_RESERVATIONS_TOTAL } from './products.metrics';

@Injectable()
export class ProductsService implements OnModuleInit {
  constructor(
    private readonly products: ProductsRepository,
    @InjectMetric(STOCK_RESERVATIONS_TOTAL) private readonly reservations: Counter<'result'>,
    @InjectPinoLogger(ProductsService.name) private readonly logger: PinoLogger,
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

  async reserve(orderId: string, items: OrderItemInputDto[]): Promise<StockReservationDto> {
    try {
      const reserved = await this.products.reserve(orderId, mergeLines(items));
      this.reservations.inc({ result: 'reserved' });
      return { orderId, items: await this.describe(reserved) };
    } catch (error) {
      if (!(error instanceof ReservationRefused)) throw error;
      if (error.reason === 'unknown-product') {
        throw new NotFoundException(`product ${error.productId} does not exist`);
      }
      this.reservations.inc({ result: 'insufficient' });
      throw new ConflictException(`not enough stock for product ${error.productId}`);
    }
  }

  async release(orderId: string): Promise<{ orderId: string; releasedItems: number }> {
    const released = await this.products.release(orderId);
    if (released.length > 0) this.reservations.inc({ result: 'released' });
    return { orderId, releasedItems: released.length };
  }

  private async describe(rows: ReservationRow[]) {
    return Promise.all(
      rows.map(async (row) => ({
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
