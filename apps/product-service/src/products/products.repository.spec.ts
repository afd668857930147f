import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Database, DATABASE, loadConfig } from '@obs/service-kit';
import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import type * as schema from '../database/schema';
import { products, stockReservationItems } from '../database/schema';
import { SERVICE } from '../service';
import { catalogueSeed } from './catalogue-seed';
import { ProductsRepository, ReservationRefused } from './products.repository';

// The repository as the service builds it: its migrations applied to the embedded
// engine in a temporary DATA_DIR. Each test makes its own products, so none
// depends on another.

describe('ProductsRepository', () => {
  let dataDir: string;
  let app: INestApplicationContext;
  let db: Database<typeof schema>;
  let repository: ProductsRepository;

  // The embedded database takes a few seconds to start, more on a busy machine.
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'product-service-'));
    const config = loadConfig(SERVICE, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATA_DIR: dataDir,
    });
    app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: false });
    db = app.get(DATABASE);
    repository = app.get(ProductsRepository);
  }, 30_000);

  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function product(stock: number, priceCents = 1_000): Promise<number> {
    const [row] = await db
      .insert(products)
      .values({
        name: `Product ${randomUUID()}`,
        description: 'test',
        category: 'test',
        priceCents,
        stock,
      })
      .returning({ id: products.id });
    return row.id;
  }

  async function stockOf(id: number): Promise<number | undefined> {
    return (await repository.findById(id))?.stock;
  }

  async function itemsOf(orderId: string) {
    return db
      .select()
      .from(stockReservationItems)
      .where(eq(stockReservationItems.orderId, orderId));
  }

  async function refusal(reservation: Promise<unknown>): Promise<ReservationRefused> {
    const error = await reservation.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ReservationRefused);
    return error as ReservationRefused;
  }

  it('holds the seeded catalogue after the first start, and seeds it only once', async () => {
    const seed = catalogueSeed();
    const { items, total } = await repository.findPage({ limit: 7, offset: 0 });

    expect(total).toBeGreaterThanOrEqual(seed.length);
    expect(items.map(({ name, stock }) => ({ name, stock }))).toEqual(
      seed.slice(0, 7).map(({ name, stock }) => ({ name, stock })),
    );
    expect(await repository.seedIfEmpty(seed)).toBe(0);
  });

  const inAMinute = () => new Date(Date.now() + 60_000);
  const aSecondAgo = () => new Date(Date.now() - 1_000);

  it('reserves every line of an order at the current prices, pending until confirmed', async () => {
    const laptop = await product(10, 89_900);
    const mouse = await product(3, 2_900);
    const orderId = randomUUID();
    const expiresAt = inAMinute();

    const reserved = await repository.reserve(
      orderId,
      [
        { productId: mouse, quantity: 3 },
        { productId: laptop, quantity: 2 },
      ],
      expiresAt,
    );

    expect(reserved).toMatchObject({ orderId, status: 'pending', expiresAt });
    expect(reserved.items).toEqual([
      { orderId, productId: laptop, quantity: 2, unitPriceCents: 89_900 },
      { orderId, productId: mouse, quantity: 3, unitPriceCents: 2_900 },
    ]);
    expect(await stockOf(laptop)).toBe(8);
    expect(await stockOf(mouse)).toBe(0);
  });

  it('reserves nothing at all when one line is short', async () => {
    const plenty = await product(10);
    const scarce = await product(1);
    const orderId = randomUUID();

    const error = await refusal(
      repository.reserve(
        orderId,
        [
          { productId: plenty, quantity: 4 },
          { productId: scarce, quantity: 2 },
        ],
        inAMinute(),
      ),
    );

    expect(error).toMatchObject({ reason: 'insufficient-stock', productId: scarce });
    expect(await stockOf(plenty)).toBe(10);
    expect(await stockOf(scarce)).toBe(1);
    expect(await repository.findReservation(orderId)).toBeUndefined();
  });

  it('refuses a product that does not exist, reserving nothing', async () => {
    const known = await product(10);
    const orderId = randomUUID();

    const error = await refusal(
      repository.reserve(
        orderId,
        [
          { productId: known, quantity: 1 },
          { productId: 999_999, quantity: 1 },
        ],
        inAMinute(),
      ),
    );

    expect(error).toMatchObject({ reason: 'unknown-product', productId: 999_999 });
    expect(await stockOf(known)).toBe(10);
  });

  it('returns the reservation held when the same order retries, taking stock once', async () => {
    const id = await product(10);
    const orderId = randomUUID();

    const first = await repository.reserve(orderId, [{ productId: id, quantity: 4 }], inAMinute());
    await repository.confirm(orderId);
    const retry = await repository.reserve(orderId, [{ productId: id, quantity: 9 }], inAMinute());

    expect(retry).toEqual({ ...first, status: 'confirmed' });
    expect(await stockOf(id)).toBe(6);
    expect(await itemsOf(orderId)).toHaveLength(1);
  });

  it('gives an order’s stock back once, however often it is released', async () => {
    const first = await product(10);
    const second = await product(5);
    const orderId = randomUUID();
    await repository.reserve(
      orderId,
      [
        { productId: first, quantity: 3 },
        { productId: second, quantity: 5 },
      ],
      inAMinute(),
    );
    await repository.confirm(orderId);

    const released = await repository.release(orderId);
    expect(released.map((row) => row.productId).sort()).toEqual([first, second].sort());
    expect(await stockOf(first)).toBe(10);
    expect(await stockOf(second)).toBe(5);
    expect((await repository.findReservation(orderId))?.status).toBe('released');

    expect(await repository.release(orderId)).toEqual([]);
    expect(await stockOf(first)).toBe(10);
    expect(await stockOf(second)).toBe(5);
  });

  it('releases nothing for an order that reserved nothing', async () => {
    expect(await repository.release(randomUUID())).toEqual([]);
  });

  describe('expiry', () => {
    it('sweeps an overdue pending reservation back into stock, once', async () => {
      const id = await product(10);
      const orderId = randomUUID();
      await repository.reserve(orderId, [{ productId: id, quantity: 7 }], aSecondAgo());

      const expired = await repository.expireOverdue(new Date(), 1_000);

      expect(expired).toContainEqual(expect.objectContaining({ orderId, productId: id }));
      expect(await stockOf(id)).toBe(10);
      expect((await repository.findReservation(orderId))?.status).toBe('expired');
      const again = await repository.expireOverdue(new Date(), 1_000);
      expect(again.filter((item) => item.orderId === orderId)).toEqual([]);
      expect(await stockOf(id)).toBe(10);
    });

    it('leaves confirmed and not-yet-due reservations alone', async () => {
      const id = await product(10);
      const confirmed = randomUUID();
      const notDue = randomUUID();
      await repository.reserve(confirmed, [{ productId: id, quantity: 2 }], aSecondAgo());
      expect(await repository.confirm(confirmed)).toMatchObject({ status: 'confirmed' });
      await repository.reserve(notDue, [{ productId: id, quantity: 3 }], inAMinute());

      const expired = await repository.expireOverdue(new Date(), 1_000);

      expect(expired.map((item) => item.orderId)).not.toEqual(expect.arrayContaining([confirmed]));
      expect(expired.map((item) => item.orderId)).not.toEqual(expect.arrayContaining([notDue]));
      expect(await stockOf(id)).toBe(5);
    });

    it('refuses to confirm a reservation that expired first', async () => {
      const id = await product(10);
      const orderId = randomUUID();
      await repository.reserve(orderId, [{ productId: id, quantity: 1 }], aSecondAgo());
      await repository.expireOverdue(new Date(), 1_000);

      expect(await repository.confirm(orderId)).toBeUndefined();
      expect((await repository.findReservation(orderId))?.status).toBe('expired');
      expect(await stockOf(id)).toBe(10);
    });

    it('reserves again when a retry comes after the reservation expired', async () => {
      const id = await product(10);
      const orderId = randomUUID();
      await repository.reserve(orderId, [{ productId: id, quantity: 4 }], aSecondAgo());
      await repository.expireOverdue(new Date(), 1_000);

      const again = await repository.reserve(
        orderId,
        [{ productId: id, quantity: 2 }],
        inAMinute(),
      );

      expect(again).toMatchObject({ orderId, status: 'pending' });
      expect(again.items).toEqual([{ orderId, productId: id, quantity: 2, unitPriceCents: 1_000 }]);
      expect(await stockOf(id)).toBe(8);
    });
  });

  it('never oversells when many orders reserve the same product at once', async () => {
    const limited = await product(5);

    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        repository.reserve(randomUUID(), [{ productId: limited, quantity: 1 }], inAMinute()),
      ),
    );

    const reserved = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter(
      (outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected',
    );
    expect(reserved).toHaveLength(5);
    expect(refused).toHaveLength(7);
    for (const { reason } of refused) {
      expect(reason).toMatchObject({ reason: 'insufficient-stock', productId: limited });
    }
    expect(await stockOf(limited)).toBe(0);
  });
});
