import { Inject, Injectable } from '@nestjs/common';
import { type Database, DATABASE } from '@obs/service-kit';
import { Span } from '@obs/telemetry';
import { and, asc, count, eq, gte, ilike, inArray, lte, or, sql } from 'drizzle-orm';
import * as schema from '../database/schema';
import {
  products,
  type ReservationStatus,
  stockReservationItems,
  stockReservations,
} from '../database/schema';
import type { SeedProduct } from './catalogue-seed';

export type ProductRow = typeof products.$inferSelect;
export type ReservationRow = typeof stockReservations.$inferSelect;
export type ReservationItemRow = typeof stockReservationItems.$inferSelect;
export type Reservation = ReservationRow & { items: ReservationItemRow[] };
type Transaction = Parameters<Parameters<Database<typeof schema>['transaction']>[0]>[0];

/** The states in which a reservation holds stock. */
const HOLDING: ReservationStatus[] = ['pending', 'confirmed'];

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
   * Takes the stock of every line in one transaction, or none of it, and holds
   * it for the order until `expiresAt` unless the order confirms it. The
   * conditional decrement makes two concurrent orders unable to oversell. A
   * retry for the same order returns the reservation already held; one whose
   * earlier reservation expired or was released reserves again.
   */
  @Span()
  async reserve(orderId: string, requests: StockRequest[], expiresAt: Date): Promise<Reservation> {
    return this.db.transaction(async (tx) => {
      const [previous] = await tx
        .select()
        .from(stockReservations)
        .where(eq(stockReservations.orderId, orderId))
        .for('update');
      if (previous && HOLDING.includes(previous.status)) return this.withItems(tx, previous);
      let header: ReservationRow | undefined;
      if (previous) {
        await tx.delete(stockReservationItems).where(eq(stockReservationItems.orderId, orderId));
        [header] = await tx
          .update(stockReservations)
          .set({ status: 'pending', expiresAt })
          .where(eq(stockReservations.orderId, orderId))
          .returning();
      } else {
        [header] = await tx
          .insert(stockReservations)
          .values({ orderId, status: 'pending', expiresAt })
          .onConflictDoNothing()
          .returning();
        // A concurrent call for the same order made it first: that reservation is the answer.
        if (!header) return this.withItems(tx, await this.lockedHeader(tx, orderId));
      }
      const items: ReservationItemRow[] = [];
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
        const [item] = await tx
          .insert(stockReservationItems)
          .values({ orderId, productId, quantity, unitPriceCents: taken.priceCents })
          .returning();
        items.push(item);
      }
      return { ...header, items };
    });
  }

  /** Makes a pending reservation permanent; undefined when none is pending. */
  @Span()
  async confirm(orderId: string): Promise<ReservationRow | undefined> {
    const [confirmed] = await this.db
      .update(stockReservations)
      .set({ status: 'confirmed' })
      .where(and(eq(stockReservations.orderId, orderId), eq(stockReservations.status, 'pending')))
      .returning();
    return confirmed;
  }

  @Span()
  async findReservation(orderId: string): Promise<ReservationRow | undefined> {
    const [row] = await this.db
      .select()
      .from(stockReservations)
      .where(eq(stockReservations.orderId, orderId));
    return row;
  }

  /** Returns an order's held stock; releasing twice gives back nothing the second time. */
  @Span()
  async release(orderId: string): Promise<ReservationItemRow[]> {
    return this.db.transaction(async (tx) => {
      const released = await tx
        .update(stockReservations)
        .set({ status: 'released' })
        .where(
          and(eq(stockReservations.orderId, orderId), inArray(stockReservations.status, HOLDING)),
        )
        .returning({ orderId: stockReservations.orderId });
      return this.restock(tx, released);
    });
  }

  /**
   * Returns the stock of up to `limit` pending reservations past their expiry.
   * The status check and update are one statement, so a confirmation racing
   * the sweep either lands first (kept) or finds the reservation expired.
   */
  @Span()
  async expireOverdue(now: Date, limit: number): Promise<ReservationItemRow[]> {
    return this.db.transaction(async (tx) => {
      const overdue = tx
        .select({ orderId: stockReservations.orderId })
        .from(stockReservations)
        .where(and(eq(stockReservations.status, 'pending'), lte(stockReservations.expiresAt, now)))
        .limit(limit);
      const expired = await tx
        .update(stockReservations)
        .set({ status: 'expired' })
        .where(
          and(inArray(stockReservations.orderId, overdue), eq(stockReservations.status, 'pending')),
        )
        .returning({ orderId: stockReservations.orderId });
      return this.restock(tx, expired);
    });
  }

  /** Puts the lines of these reservations back into stock, in product-id order like reserve. */
  private async restock(tx: Transaction, reservations: { orderId: string }[]) {
    if (reservations.length === 0) return [];
    const items = await tx
      .select()
      .from(stockReservationItems)
      .where(
        inArray(
          stockReservationItems.orderId,
          reservations.map((row) => row.orderId),
        ),
      );
    const quantities = new Map<number, number>();
    for (const { productId, quantity } of items) {
      quantities.set(productId, (quantities.get(productId) ?? 0) + quantity);
    }
    for (const [productId, quantity] of [...quantities].sort(([a], [b]) => a - b)) {
      await tx
        .update(products)
        .set({ stock: sql`${products.stock} + ${quantity}` })
        .where(eq(products.id, productId));
    }
    return items;
  }

  private async lockedHeader(tx: Transaction, orderId: string): Promise<ReservationRow> {
    const [header] = await tx
      .select()
      .from(stockReservations)
      .where(eq(stockReservations.orderId, orderId))
      .for('update');
    return header;
  }

  private async withItems(tx: Transaction, header: ReservationRow): Promise<Reservation> {
    const items = await tx
      .select()
      .from(stockReservationItems)
      .where(eq(stockReservationItems.orderId, header.orderId))
      .orderBy(asc(stockReservationItems.productId));
    return { ...header, items };
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
