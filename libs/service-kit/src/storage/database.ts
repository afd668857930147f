import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { mkdirSync } from 'node:fs';
import { Pool } from 'pg';
import { lockDataDir } from './data-dir-lock';
import type { DatabaseMetrics } from './database-metrics';

/** A Drizzle database over either storage engine: the queries are the same PostgreSQL. */
export type Database<TSchema extends Record<string, unknown>> = PgDatabase<
  PgQueryResultHKT,
  TSchema
>;

export interface OpenDatabaseOptions<TSchema extends Record<string, unknown>> {
  serviceName: string;
  schema: TSchema;
  /** Folder of the SQL migrations drizzle-kit generated for this service. */
  migrationsFolder: string;
  /** A postgres:// URL; when absent the embedded PGlite under `dataDir` is used. */
  databaseUrl?: string;
  /** The embedded database's own directory, locked while open (`<dataDir>.lock`). */
  dataDir: string;
  /** Measures every statement and, with `databaseUrl`, the connection pool (DatabaseModule passes it). */
  metrics?: DatabaseMetrics;
}

export interface OpenDatabase<TSchema extends Record<string, unknown>> {
  db: Database<TSchema>;
  engine: 'postgresql' | 'pglite';
  ping(): Promise<void>;
  close(): Promise<void>;
}

// The embedded engine is a whole PostgreSQL in WebAssembly; the server's default
// buffers would triple a small service's memory for no gain at this data size.
const PGLITE_SETTINGS = [
  'shared_buffers = 16MB',
  'wal_buffers = 1MB',
  'work_mem = 2MB',
  'temp_buffers = 2MB',
];

/** The most connections one service opens to a PostgreSQL server. */
const POOL_SIZE = 10;

/** Opens the service's database and applies its migrations before anything uses it. */
export async function openDatabase<TSchema extends Record<string, unknown>>(
  options: OpenDatabaseOptions<TSchema>,
): Promise<OpenDatabase<TSchema>> {
  // Each service keeps its own migration history, so services may share one server.
  const migrationsTable = `__migrations_${options.serviceName.replace(/-/g, '_')}`;
  const migrationConfig = { migrationsFolder: options.migrationsFolder, migrationsTable };

  if (options.databaseUrl) {
    const pool =
      options.metrics?.pool(options.databaseUrl, POOL_SIZE) ??
      new Pool({ connectionString: options.databaseUrl, max: POOL_SIZE });
    // A server that closes an idle connection (a restart, an outage) makes the pool emit
    // `error`, which unhandled would end the process. The pool drops that connection; the
    // next operation reports the outage to its caller (and counts as a failed operation).
    pool.on('error', () => undefined);
    const db = drizzleNodePostgres(pool, { schema: options.schema });
    await migrateNodePostgres(db, migrationConfig);
    return {
      db: db as unknown as Database<TSchema>,
      engine: 'postgresql',
      ping: async () => void (await db.execute(sql`select 1`)),
      close: () => pool.end(),
    };
  }

  mkdirSync(options.dataDir, { recursive: true });
  // Two PGlite instances on one directory corrupt it: claim it before opening.
  const lock = lockDataDir(options.dataDir);
  const client =
    options.metrics?.pglite(options.dataDir, PGLITE_SETTINGS) ??
    new PGlite(options.dataDir, { postgresqlconf: PGLITE_SETTINGS });
  const db = drizzlePglite(client, { schema: options.schema });
  try {
    await migratePglite(db, migrationConfig);
  } catch (error) {
    // The start fails with the migration's error; closing is only tidying up.
    await client.close().catch(() => undefined);
    lock.release();
    throw error;
  }
  return {
    db: db as unknown as Database<TSchema>,
    engine: 'pglite',
    ping: async () => void (await client.query('select 1')),
    close: async () => {
      await client.close();
      lock.release();
    },
  };
}
