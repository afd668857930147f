import { Inject, Injectable } from '@nestjs/common';
import { type Database, DATABASE } from '@obs/service-kit';
import { Span } from '@obs/telemetry';
import { and, asc, count, eq, gte, ilike, or, sql } from 'drizzle-orm';
import * as schema from '../database/schema';
import { products, stockReservations } from '../database/schema';
import type { SeedProduct } from './catalogue-seed';

export type ProductRow = typeof products.$inferSelect;
export type ReservationRow = typeof stockReservations.$inferSelect;

export interface StockRequest {
  productId: number;
  quantity: number;
}

/** Why a reservation could not be made; nothing was reserved. */
export class ReservationRefused extends Error {
  constructor(
    readonly reason: 'unknown-product' | 'insufficient-stock',
    readonly productId: number,
  ) {
    super(`${reason}: product ${productId}`);
  }
}

@Injectable()
export class ProductsRepository {
  constructor(@Inject(DATABASE) private readonly db: Database<typeof schema>) {}

  @Span()
  async findPage(query: { limit: number; offset: number; q?: string }) {
    const where = query.q ? matching(query.q) : undefined;
    const [items, [{ total }]] = await Promise.all([
      this.db
        .select()
        .from(products)
        .where(where)
        .orderBy(asc(products.id))
        .limit(query.limit)
        .offset(query.offset),
      this.db.select({ total: count() }).from(products).where(where),
    ]);
    return { items, total };
  }

  @Span()
  async findById(id: number): Promise<ProductRow | undefined> {
    const [row] = await this.db.select().from(products).where(eq(products.id, id));
    return row;
  }

  @Span()
  async seedIfEmpty(seed: SeedProduct[]): Promise<number> {
    const [{ total }] = await this.db.select({ total: count() }).from(products);
    if (total > 0) return 0;
    await this.db.insert(products).values(seed);
    return seed.length;
  }

  /**
   * Takes the stock of every line in one transaction, or none of it. The
   * conditional decrement makes two concurrent orders unable to oversell.
   * A retry for the same order returns the reservation already made.
   */
  @Span()
  async reserve(orderId: string, requests: StockRequest[]): Promise<ReservationRow[]> {
    return this.db.transaction(async (tx) => {
      const existing = await tx
        .select()
        .from(stockReservations)
        .where(eq(stockReservations.orderId, orderId));
      if (existing.length > 0) return existing;
      const reserved: ReservationRow[] = [];
      // Same product order in every transaction: concurrent orders cannot deadlock.
      for (const { productId, quantity } of [...requests].sort(
        (a, b) => a.productId - b.productId,
      )) {
        const [taken] = await tx
          .update(products)
          .set({ stock: sql`${products.stock} - ${quantity}` })
          .where(and(eq(products.id, productId), gte(products.stock, quantity)))
          .returning({ priceCents: products.priceCents });
        if (!taken) {
          const [known] = await tx
            .select({ id: products.id })
            .from(products)
            .where(eq(products.id, productId));
          throw new ReservationRefused(known ? 'insufficient-stock' : 'unknown-product', productId);
        }
        const [row] = await tx
          .insert(stockReservations)
          .values({ orderId, productId, quantity, unitPriceCents: taken.priceCents })
          .returning();
        reserved.push(row);
      }
      return reserved;
    });
  }

  /** Returns an order's reserved stock; releasing twice gives back nothing the second time. */
  @Span()
  async release(orderId: string): Promise<ReservationRow[]> {
    return this.db.transaction(async (tx) => {
      const released = await tx
        .update(stockReservations)
        .set({ status: 'released' })
        .where(
          and(eq(stockReservations.orderId, orderId), eq(stockReservations.status, 'reserved')),
        )
        .returning();
      for (const { productId, quantity } of released) {
        await tx
          .update(products)
          .set({ stock: sql`${products.stock} + ${quantity}` })
          .where(eq(products.id, productId));
      }
      return released;
    });
  }
}

function matching(q: string) {
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return or(
    ilike(products.name, pattern),
    ilike(products.description, pattern),
    ilike(products.category, pattern),
  );
}
