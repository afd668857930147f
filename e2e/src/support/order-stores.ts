// Reads what order- and product-service stored, straight from their databases, for
// the crash drill's bookkeeping: the embedded PGlite directories of stopped
// services, or their databases on the PostgreSQL server.
import { PGlite } from '@electric-sql/pglite';
import { join } from 'node:path';
import pg from 'pg';
import { DATABASES } from '../../../tools/services/launcher.ts';

export interface StoredOrder {
  id: string;
  userId: string;
  status: string;
  idempotencyKey: string | null;
  lines: Map<number, number>;
}

export interface StoredReservation {
  orderId: string;
  status: string;
  lines: Map<number, number>;
}

export interface StoredState {
  stock: Map<number, number>;
  orders: Map<string, StoredOrder>;
  reservations: Map<string, StoredReservation>;
}

type Query = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * The stock of `productIds`, the orders of `userIds` and the reservations made
 * since `since` holding any of those products. Without `postgresUrl` the services must be stopped:
 * PGlite lets one process at a time open a data directory.
 */
export async function readStoredState(options: {
  dataDir: string;
  postgresUrl?: string;
  productIds: number[];
  userIds: string[];
  since: Date;
}): Promise<StoredState> {
  return withDatabases(options, async (products, orders) => {
    const stock = new Map<number, number>();
    for (const row of await products('select id, stock from products where id = any($1::int[])', [
      options.productIds,
    ])) {
      stock.set(Number(row.id), Number(row.stock));
    }
    const reservations = new Map<string, StoredReservation>();
    for (const row of await products(
      `select r.order_id, r.status, i.product_id, i.quantity
         from stock_reservations r join stock_reservation_items i on i.order_id = r.order_id
        where r.created_at >= $2::timestamptz
          and r.order_id in (select order_id from stock_reservation_items where product_id = any($1::int[]))`,
      [options.productIds, options.since.toISOString()],
    )) {
      const orderId = String(row.order_id);
      const reservation = reservations.get(orderId) ?? {
        orderId,
        status: String(row.status),
        lines: new Map(),
      };
      reservation.lines.set(Number(row.product_id), Number(row.quantity));
      reservations.set(orderId, reservation);
    }
    const stored = new Map<string, StoredOrder>();
    for (const row of await orders(
      `select o.id, o.user_id, o.status, o.idempotency_key, i.product_id, i.quantity
         from orders o join order_items i on i.order_id = o.id
        where o.user_id = any($1::uuid[])`,
      [options.userIds],
    )) {
      const id = String(row.id);
      const order = stored.get(id) ?? {
        id,
        userId: String(row.user_id),
        status: String(row.status),
        idempotencyKey: row.idempotency_key === null ? null : String(row.idempotency_key),
        lines: new Map(),
      };
      order.lines.set(Number(row.product_id), Number(row.quantity));
      stored.set(id, order);
    }
    return { stock, orders: stored, reservations };
  });
}

async function withDatabases<T>(
  options: { dataDir: string; postgresUrl?: string },
  use: (products: Query, orders: Query) => Promise<T>,
): Promise<T> {
  if (options.postgresUrl) {
    const base = options.postgresUrl.replace(/\/$/, '');
    const products = new pg.Pool({ connectionString: `${base}/${DATABASES['product-service']}` });
    const orders = new pg.Pool({ connectionString: `${base}/${DATABASES['order-service']}` });
    try {
      return await use(
        async (text, params) => (await products.query(text, params)).rows,
        async (text, params) => (await orders.query(text, params)).rows,
      );
    } finally {
      await Promise.all([products.end(), orders.end()]);
    }
  }
  // Opening them is itself a check: a data directory a SIGKILL corrupted would fail here.
  const products = await PGlite.create(join(options.dataDir, 'product-service'));
  const orders = await PGlite.create(join(options.dataDir, 'order-service'));
  try {
    return await use(
      async (text, params) => (await products.query<Record<string, unknown>>(text, params)).rows,
      async (text, params) => (await orders.query<Record<string, unknown>>(text, params)).rows,
    );
  } finally {
    await Promise.all([products.close(), orders.close()]);
  }
}
