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

/** Stock held for an order; released rows stay as history, so a release is never applied twice. */
export const stockReservations = pgTable(
  'stock_reservations',
  {
    orderId: uuid('order_id').notNull(),
    productId: integer('product_id')
      .notNull()
      .references(() => products.id),
    quantity: integer('quantity').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
    status: text('status', { enum: ['reserved', 'released'] })
      .notNull()
      .default('reserved'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.orderId, table.productId] }),
    index('stock_reservations_product_idx').on(table.productId),
  ],
);
