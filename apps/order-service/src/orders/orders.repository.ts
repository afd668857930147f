import { Inject, Injectable } from '@nestjs/common';
import { type Database, DATABASE, isUniqueViolation } from '@obs/service-kit';
import { Span } from '@obs/telemetry';
import { and, desc, eq, inArray } from 'drizzle-orm';
import * as schema from '../database/schema';
import { orderItems, orders } from '../database/schema';

export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;
export type OrderWithItems = OrderRow & { items: OrderItemRow[] };

export type NewOrder = Omit<OrderRow, 'createdAt' | 'cancelledAt'> & {
  items: Omit<OrderItemRow, 'orderId'>[];
};

@Injectable()
export class OrdersRepository {
  constructor(@Inject(DATABASE) private readonly db: Database<typeof schema>) {}

  /** Saves the order and its lines together; undefined when its Idempotency-Key is already used. */
  @Span()
  async insert(order: NewOrder): Promise<OrderWithItems | undefined> {
    const { items, ...header } = order;
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.insert(orders).values(header).returning();
        const lines = await tx
          .insert(orderItems)
          .values(items.map((item) => ({ ...item, orderId: row.id })))
          .returning();
        return { ...row, items: lines };
      });
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  @Span()
  async findForUser(userId: string, id: string): Promise<OrderWithItems | undefined> {
    const [row] = await this.db
      .select()
      .from(orders)
      .where(and(eq(orders.id, id), eq(orders.userId, userId)));
    return row && (await this.withItems([row]))[0];
  }

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
      .where(eq(orders.userId, userId))
      .orderBy(desc(orders.createdAt))
      .limit(limit);
    return this.withItems(rows);
  }

  @Span()
  async markCancelled(id: string): Promise<void> {
    await this.db
      .update(orders)
      .set({ status: 'cancelled', cancelledAt: new Date() })
      .where(eq(orders.id, id));
  }

  private async withItems(rows: OrderRow[]): Promise<OrderWithItems[]> {
    if (rows.length === 0) return [];
    const lines = await this.db
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
