// One process of the concurrent-migration test: connects to the database, says `ready`, waits
// for `go` on stdin, then applies one service's migrations exactly as the service does at start.
//   node e2e/src/support/migrate-worker.ts <database url> <service> <migrations folder>
import pg from 'pg';

interface Storage {
  migrateWithLock(pool: pg.Pool, config: object): Promise<void>;
  migrationConfig(serviceName: string, migrationsFolder: string): object;
}
// The library code the services run at start, loaded by URL: this project's type check (ES
// modules) leaves the library's sources to the library's own.
const { migrateWithLock, migrationConfig } = (await import(
  new URL('../../../libs/service-kit/src/storage/migrate.ts', import.meta.url).href
)) as Storage;

const [databaseUrl, serviceName, migrationsFolder] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
// Open the connection before the start signal, so every process migrates at the same moment.
(await pool.connect()).release();
console.log('ready');
await new Promise((resolve) => process.stdin.once('data', resolve));
try {
  await migrateWithLock(pool, migrationConfig(serviceName, migrationsFolder));
} catch (error) {
  // drizzle wraps the server's error: its message is the query, its cause what PostgreSQL said.
  const { message, cause } = error as Error & { cause?: Error };
  console.error(`${serviceName}: ${cause?.message ?? ''} in ${message.replace(/\s+/g, ' ')}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
