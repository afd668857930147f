import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * `pending`: saved, its stock reserved but not yet confirmed (invisible to the API).
 * `confirmed`: the order. `cancelling`: cancelled, its stock not yet released
 * (shown as cancelled). `cancelled`: its stock is back. The reconciler finishes
 * what a crash leaves pending or cancelling.
 */
export const ORDER_STATES = ['pending', 'confirmed', 'cancelling', 'cancelled'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    status: text('status', { enum: ORDER_STATES }).notNull(),
    totalCents: integer('total_cents').notNull(),
    /** The client's Idempotency-Key: a retry with the same key returns this order. */
    idempotencyKey: text('idempotency_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    /** When the status or lines last changed: the reconciler leaves recent ones to their request. */
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('orders_user_created_idx').on(table.userId, table.createdAt),
    // The reconciler's query: orders a crash may have left half done.
    index('orders_unsettled_idx')
      .on(table.updatedAt)
      .where(sql`${table.status} in ('pending', 'cancelling')`),
    uniqueIndex('orders_user_idempotency_key_unique')
      .on(table.userId, table.idempotencyKey)
      .where(sql`${table.idempotencyKey} is not null`),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    productId: integer('product_id').notNull(),
    /** The product's name and price when ordered: later catalogue changes do not rewrite history. */
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
  },
  (table) => [primaryKey({ columns: [table.orderId, table.productId] })],
);
