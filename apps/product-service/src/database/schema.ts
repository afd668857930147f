import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

export const products = pgTable(
  'products',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    category: text('category').notNull(),
    // Money in integer cents: no rounding drift when totals are summed.
    priceCents: integer('price_cents').notNull(),
    stock: integer('stock').notNull(),
  },
  (table) => [check('products_stock_not_negative', sql`${table.stock} >= 0`)],
);

export const RESERVATION_STATUSES = ['pending', 'confirmed', 'released', 'expired'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/**
 * Stock held for one order, keyed by the order id order-service chose. It is
 * `pending` until the order confirms it; a pending reservation past `expires_at`
 * is swept back into stock (`expired`), so an order-service that crashed between
 * reserving and confirming loses no stock. `released` is a cancelled or failed
 * order's. Rows stay as history, so stock is never returned twice.
 */
export const stockReservations = pgTable(
  'stock_reservations',
  {
    orderId: uuid('order_id').primaryKey(),
    status: text('status', { enum: RESERVATION_STATUSES }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // The sweeper's query: pending reservations by expiry.
    index('stock_reservations_pending_expiry_idx')
      .on(table.expiresAt)
      .where(sql`${table.status} = 'pending'`),
  ],
);

/** The lines of a reservation, at the prices charged when it was made. */
export const stockReservationItems = pgTable(
  'stock_reservation_items',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => stockReservations.orderId),
    productId: integer('product_id')
      .notNull()
      .references(() => products.id),
    quantity: integer('quantity').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.orderId, table.productId] }),
    index('stock_reservation_items_product_idx').on(table.productId),
  ],
);
