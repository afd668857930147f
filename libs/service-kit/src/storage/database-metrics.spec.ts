import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TelemetryModule } from '@obs/telemetry';
import { sql } from 'drizzle-orm';
import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { loadConfig } from '../config/service-config';
import { ServiceKitModule } from '../service-kit.module';
import type { Database } from './database';
import { DATABASE, DatabaseModule } from './database.module';
import { errorType, operationName } from './database-metrics';

// A service's DatabaseModule in a real app, on both engines: the embedded PGlite, and the `pg`
// driver against E2E_POSTGRES_URL (a PostgreSQL server: CI's e2e-postgres step,
// tools/postgres/postgres.sh) or, when that is unset, PGlite served over the wire protocol.
// Real queries, then a scrape of /metrics over HTTP. The app is configured as product-service.

const metricsNotes = pgTable('metrics_notes', {
  id: serial('id').primaryKey(),
  title: text('title').notNull(),
});
const schema = { metricsNotes };

jest.setTimeout(60_000);

let root: string;
let migrationsFolder: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'database-metrics-'));
  migrationsFolder = join(root, 'migrations');
  mkdirSync(join(migrationsFolder, 'meta'), { recursive: true });
  writeFileSync(
    join(migrationsFolder, '0000_init.sql'),
    'CREATE TABLE IF NOT EXISTS "metrics_notes" ("id" serial PRIMARY KEY NOT NULL, "title" text NOT NULL);',
  );
  const entry = {
    idx: 0,
    version: '7',
    when: 1_735_689_600_000,
    tag: '0000_init',
    breakpoints: true,
  };
  writeFileSync(
    join(migrationsFolder, 'meta', '_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries: [entry] }),
  );
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function startApp(
  env: Record<string, string>,
): Promise<{ app: INestApplication; url: string }> {
  const config = loadConfig(
    { serviceName: 'product-service' },
    { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: join(root, 'data'), ...env },
  );

  @Module({
    imports: [
      TelemetryModule.forRoot({ serviceName: config.serviceName, logLevel: 'silent' }),
      ServiceKitModule.forRoot(config),
      DatabaseModule.forRoot({ schema, migrationsFolder }),
    ],
  })
  class TestAppModule {}

  const app = await NestFactory.create(TestAppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

type Labels = Record<string, string>;

/** Every sample of one metric on /metrics, with its labels. */
async function scrape(url: string, name: string): Promise<{ labels: Labels; value: number }[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const labels = Object.fromEntries(
        [...(/\{(.*)\}/.exec(line)?.[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => [
          k,
          v,
        ]),
      );
      return { labels, value: Number(line.split(' ').at(-1)) };
    });
}

/** The count of operations with exactly these labels (besides `service`). */
async function operations(url: string, labels: Labels): Promise<number> {
  const wanted = { service: 'product-service', db_system_name: 'postgresql', ...labels };
  const samples = await scrape(url, 'db_client_operation_duration_seconds_count');
  const sample = samples.find(
    (candidate) =>
      Object.keys(candidate.labels).length === Object.keys(wanted).length &&
      Object.entries(wanted).every(([key, value]) => candidate.labels[key] === value),
  );
  return sample?.value ?? 0;
}

/** Runs a query that inserts, one that reads, and one the server refuses. */
async function workload(db: Database<typeof schema>): Promise<void> {
  await db.insert(metricsNotes).values({ title: 'measured' });
  await db.select().from(metricsNotes).limit(1);
  await expect(db.execute(sql`select * from no_such_table`)).rejects.toThrow();
}

describe.each([
  ['the embedded PGlite', 'pglite'],
  ['the pg driver and its pool', 'pg'],
] as const)('database client metrics with %s', (_title, engine) => {
  let app: INestApplication;
  let url: string;
  let db: Database<typeof schema>;
  let server: { db: PGlite; server: PGLiteSocketServer } | undefined;

  beforeAll(async () => {
    const env: Record<string, string> = {};
    if (engine === 'pg') env.DATABASE_URL = process.env.E2E_POSTGRES_URL ?? (await servePglite());
    ({ app, url } = await startApp(env));
    db = app.get(DATABASE);
  });

  afterAll(async () => {
    await app?.close();
    await server?.server.stop();
    await server?.db.close();
  });

  async function servePglite(): Promise<string> {
    const served = await PGlite.create();
    const socket = new PGLiteSocketServer({
      db: served,
      host: '127.0.0.1',
      port: 0,
      maxConnections: 10,
    });
    await socket.start();
    server = { db: served, server: socket };
    return `postgres://postgres@${socket.getServerConn()}`;
  }

  it('times every operation by SQL command, and a failed one by its SQLSTATE', async () => {
    const before = {
      insert: await operations(url, { db_operation_name: 'INSERT' }),
      select: await operations(url, { db_operation_name: 'SELECT' }),
      failed: await operations(url, { db_operation_name: 'SELECT', error_type: '42P01' }),
    };

    await workload(db);

    expect(await operations(url, { db_operation_name: 'INSERT' })).toBe(before.insert + 1);
    expect(await operations(url, { db_operation_name: 'SELECT' })).toBe(before.select + 1);
    expect(await operations(url, { db_operation_name: 'SELECT', error_type: '42P01' })).toBe(
      before.failed + 1,
    );
    // The buckets carry the service label and the SLO's edges.
    const buckets = await scrape(url, 'db_client_operation_duration_seconds_bucket');
    const insertBuckets = buckets.filter(
      (sample) => sample.labels.db_operation_name === 'INSERT' && !sample.labels.error_type,
    );
    expect(insertBuckets.map((sample) => sample.labels.le)).toEqual(
      expect.arrayContaining(['0.001', '0.1', '0.5', '+Inf']),
    );
    expect(insertBuckets.every((sample) => sample.labels.service === 'product-service')).toBe(true);
  });

  it('times the statements inside a transaction', async () => {
    const before = await operations(url, { db_operation_name: 'INSERT' });

    await db.transaction(async (tx) => {
      await tx.insert(metricsNotes).values({ title: 'in a transaction' });
    });

    expect(await operations(url, { db_operation_name: 'INSERT' })).toBe(before + 1);
  });

  if (engine === 'pglite') {
    it('reports no connection pool: the embedded engine is one in-process connection', async () => {
      for (const name of [
        'db_client_connection_count',
        'db_client_connection_max',
        'db_client_connection_pending_requests',
        'db_client_connection_wait_time_seconds_count',
      ])
        expect(await scrape(url, name)).toEqual([]);
    });
  } else {
    it('reports the pool: connections used and idle, the maximum, waits and pending requests', async () => {
      const waitsBefore = (await scrape(url, 'db_client_connection_wait_time_seconds_count'))[0]
        ?.value;
      let finish: () => void = () => undefined;
      let entered: () => void = () => undefined;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const held = db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        const finished = new Promise<void>((resolve) => (finish = resolve));
        entered();
        await finished;
      });
      await inside;
      // The open transaction holds one connection.
      const during = await scrape(url, 'db_client_connection_count');
      expect(
        during.find((sample) => sample.labels.db_client_connection_state === 'used')?.value,
      ).toBe(1);
      finish();
      await held;

      const count = await scrape(url, 'db_client_connection_count');
      const state = (name: string) =>
        count.find((sample) => sample.labels.db_client_connection_state === name)?.value;
      expect(state('used')).toBe(0);
      expect(state('idle')).toBeGreaterThanOrEqual(1);
      expect(count.every((sample) => sample.labels.service === 'product-service')).toBe(true);
      expect((await scrape(url, 'db_client_connection_max'))[0]?.value).toBe(10);
      expect((await scrape(url, 'db_client_connection_pending_requests'))[0]?.value).toBe(0);
      const waitsAfter = (await scrape(url, 'db_client_connection_wait_time_seconds_count'))[0]
        ?.value;
      expect(waitsAfter).toBeGreaterThan(waitsBefore ?? 0);
    });

    it('counts a request waiting for a connection while every connection is in use', async () => {
      // Drizzle's documented `$client`: the pool itself, to check out all ten connections.
      const pool = (db as unknown as { $client: Pool }).$client;
      const clients = await Promise.all(Array.from({ length: 10 }, () => pool.connect()));
      // A Drizzle query runs when it is awaited or then'd.
      const waiting = db.execute(sql`select 1`).then(() => undefined);
      const pending = async () =>
        (await scrape(url, 'db_client_connection_pending_requests'))[0]?.value;
      const used = async () =>
        (await scrape(url, 'db_client_connection_count')).find(
          (sample) => sample.labels.db_client_connection_state === 'used',
        )?.value;
      expect([await pending(), await used()]).toEqual([1, 10]);

      for (const client of clients) client.release();
      await waiting;
      expect(await pending()).toBe(0);
    });
  }
});

describe('operation names and error types', () => {
  it('names the SQL command as instrumentation-pg does, and _OTHER for no command', () => {
    expect(operationName('select "id" from "orders" where "id" = $1')).toBe('SELECT');
    expect(operationName('\n  insert into x values ($1)')).toBe('INSERT');
    expect(operationName('begin')).toBe('BEGIN');
    expect(operationName('')).toBe('_OTHER');
    expect(operationName(undefined)).toBe('_OTHER');
  });

  it('uses the SQLSTATE, else the Node error code, else the class', () => {
    expect(errorType(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('23505');
    expect(errorType(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(
      'ECONNREFUSED',
    );
    expect(errorType(new TypeError('bad'))).toBe('TypeError');
    expect(errorType('a string')).toBe('_OTHER');
  });
});
