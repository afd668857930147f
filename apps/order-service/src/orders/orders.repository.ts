import { Inject, Injectable } from '@nestjs/common';
import { type Database, DATABASE } from '@obs/service-kit';
import { Span } from '@obs/telemetry';
import { and, desc, eq, inArray, lte, ne } from 'drizzle-orm';
import * as schema from '../database/schema';
import { orderItems, orders } from '../database/schema';

export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;
export type OrderWithItems = OrderRow & { items: OrderItemRow[] };

export type NewOrder = Pick<OrderRow, 'id' | 'userId' | 'totalCents' | 'idempotencyKey'> & {
  items: Omit<OrderItemRow, 'orderId'>[];
};

/** A pending order is not an order yet: the API neither lists nor finds it. */
const VISIBLE = ne(orders.status, 'pending');

@Injectable()
export class OrdersRepository {
  constructor(@Inject(DATABASE) private readonly db: Database<typeof schema>) {}

  /**
   * Saves the order as `pending`, its lines those of the stock reservation it
   * will confirm. A pending order saved before (a retry) takes the new lines,
   * since a retry after its reservation expired may have reserved others; an
   * order already past pending is returned as it is.
   */
  @Span()
  async savePending(order: NewOrder): Promise<OrderWithItems> {
    const { items, ...header } = order;
    return this.db.transaction(async (tx) => {
      await tx
        .insert(orders)
        .values({ ...header, status: 'pending' })
        .onConflictDoNothing({ target: orders.id });
      const [saved] = await tx.select().from(orders).where(eq(orders.id, header.id)).for('update');
      if (saved.status !== 'pending') return (await this.withItems([saved], tx))[0];
      await tx.delete(orderItems).where(eq(orderItems.orderId, saved.id));
      const lines = await tx
        .insert(orderItems)
        .values(items.map((item) => ({ ...item, orderId: saved.id })))
        .returning();
      const [row] = await tx
        .update(orders)
        .set({ totalCents: header.totalCents, updatedAt: new Date() })
        .where(eq(orders.id, saved.id))
        .returning();
      return { ...row, items: lines };
    });
  }

  /** pending → confirmed; a no-op for an order already past pending. */
  @Span()
  async markConfirmed(id: string): Promise<void> {
    await this.db
      .update(orders)
      .set({ status: 'confirmed', updatedAt: new Date() })
      .where(and(eq(orders.id, id), eq(orders.status, 'pending')));
  }

  /** confirmed → cancelling; true when this call made the change. */
  @Span()
  async markCancelling(id: string): Promise<boolean> {
    const now = new Date();
    const changed = await this.db
      .update(orders)
      .set({ status: 'cancelling', cancelledAt: now, updatedAt: now })
      .where(and(eq(orders.id, id), eq(orders.status, 'confirmed')))
      .returning({ id: orders.id });
    return changed.length > 0;
  }

  /** cancelling → cancelled, once its stock is back. */
  @Span()
  async markCancelled(id: string): Promise<void> {
    await this.db
      .update(orders)
      .set({ status: 'cancelled', updatedAt: new Date() })
      .where(and(eq(orders.id, id), eq(orders.status, 'cancelling')));
  }

  /**
   * Drops a pending order whose reservation is gone, unless a retry touched it
   * after `unchangedSince`; true when it was dropped.
   */
  @Span()
  async deletePending(id: string, unchangedSince: Date): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [stale] = await tx
        .select({ id: orders.id })
        .from(orders)
        .where(
          and(
            eq(orders.id, id),
            eq(orders.status, 'pending'),
            lte(orders.updatedAt, unchangedSince),
          ),
        )
        .for('update');
      if (!stale) return false;
      await tx.delete(orderItems).where(eq(orderItems.orderId, id));
      await tx.delete(orders).where(eq(orders.id, id));
      return true;
    });
  }

  /** Orders a crash may have left half done: pending or cancelling, unchanged since `before`. */
  @Span()
  async findUnsettled(before: Date, limit: number): Promise<OrderRow[]> {
    return this.db
      .select()
      .from(orders)
      .where(and(inArray(orders.status, ['pending', 'cancelling']), lte(orders.updatedAt, before)))
      .orderBy(orders.updatedAt)
      .limit(limit);
  }

  @Span()
  async findForUser(userId: string, id: string): Promise<OrderWithItems | undefined> {
    const [row] = await this.db
      .select()
      .from(orders)
      .where(and(eq(orders.id, id), eq(orders.userId, userId), VISIBLE));
    return row && (await this.withItems([row]))[0];
  }

  /** The order an Idempotency-Key made, pending ones included: a retry finishes them. */
  @Span()
  async findByIdempotencyKey(userId: string, key: string): Promise<OrderWithItems | undefined> {
    const [row] = await this.db
      .select()
      .from(orders)
      .where(and(eq(orders.userId, userId), eq(orders.idempotencyKey, key)));
    return row && (await this.withItems([row]))[0];
  }

  /** The user's most recent orders first. */
  @Span()
  async listForUser(userId: string, limit: number): Promise<OrderWithItems[]> {
    const rows = await this.db
      .select()
      .from(orders)
      .where(and(eq(orders.userId, userId), VISIBLE))
      .orderBy(desc(orders.createdAt))
      .limit(limit);
    return this.withItems(rows);
  }

  private async withItems(
    rows: OrderRow[],
    executor: Pick<Database<typeof schema>, 'select'> = this.db,
  ): Promise<OrderWithItems[]> {
    if (rows.length === 0) return [];
    const lines = await executor
      .select()
      .from(orderItems)
      .where(
        inArray(
          orderItems.orderId,
          rows.map((row) => row.id),
        ),
      );
    return rows.map((row) => ({ ...row, items: lines.filter((line) => line.orderId === row.id) }));
  }
}
