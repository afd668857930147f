import { sql } from 'drizzle-orm';
import type { MigrationConfig } from 'drizzle-orm/migrator';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Pool } from 'pg';

// Imports packages only, so a plain `node` process can load this file by path (the
// end-to-end test of concurrent migrations runs it in several processes at once).

/**
 * The PostgreSQL advisory lock every service holds while it migrates: an arbitrary constant,
 * the same in all services, because on one database they share drizzle's schema (`CREATE
 * SCHEMA IF NOT EXISTS` is not safe to run twice at once) as replicas share their own tables.
 */
export const MIGRATION_LOCK_ID = 7_290_614_317_426_539;

/**
 * Where a service's migrations live and where it records them: a journal table of its own in
 * drizzle's schema, so services sharing one database never read each other's history.
 */
export function migrationConfig(serviceName: string, migrationsFolder: string): MigrationConfig {
  return { migrationsFolder, migrationsTable: `__migrations_${serviceName.replace(/-/g, '_')}` };
}

/**
 * Applies drizzle-kit migrations on a PostgreSQL server, one process at a time: the others
 * wait on the lock, then find the journal up to date and apply nothing. The lock is taken
 * at session level on one connection, which drizzle's migration transaction also uses, so
 * it outlives that transaction's commit or rollback; a process that dies mid-migration
 * drops its connection and with it the lock.
 */
export async function migrateWithLock(pool: Pool, config: MigrationConfig): Promise<void> {
  const client = await pool.connect();
  const db = drizzle(client);
  try {
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`);
    await migrate(db, config);
    await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`);
  } catch (error) {
    // The connection may still hold the lock: destroy it (the server frees the lock) rather
    // than return it to the pool.
    client.release(true);
    throw error;
  }
  client.release();
}
