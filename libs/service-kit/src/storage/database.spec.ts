import { sql } from 'drizzle-orm';
import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OpenDatabase, openDatabase } from './database';

// The embedded engine on disk, migrated from a tiny drizzle-kit style folder.
// The tests run in order over one data folder, reopening it each time.

const notes = pgTable('notes', {
  id: serial('id').primaryKey(),
  title: text('title').notNull(),
});
const schema = { notes };

const MIGRATIONS = [
  {
    tag: '0000_init',
    when: 1_735_689_600_000,
    sql: 'CREATE TABLE "notes" ("id" serial PRIMARY KEY NOT NULL, "title" text NOT NULL);',
  },
  {
    tag: '0001_unique_title',
    when: 1_735_776_000_000,
    sql: 'CREATE UNIQUE INDEX "notes_title_unique" ON "notes" USING btree ("title");',
  },
];

/** Writes the first `count` migrations as drizzle-kit would: SQL files and meta/_journal.json. */
function writeMigrations(folder: string, count: number): void {
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const entries = MIGRATIONS.slice(0, count).map((migration, idx) => {
    writeFileSync(join(folder, `${migration.tag}.sql`), migration.sql);
    return { idx, version: '7', when: migration.when, tag: migration.tag, breakpoints: true };
  });
  writeFileSync(
    join(folder, 'meta', '_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries }),
  );
}

async function appliedMigrations(database: OpenDatabase<typeof schema>): Promise<number> {
  const result = (await database.db.execute(
    sql`select count(*)::int as applied from drizzle.__migrations_test_service`,
  )) as { rows: { applied: number }[] };
  return result.rows[0].applied;
}

// The embedded database takes a few seconds to start, more on a busy machine.
jest.setTimeout(30_000);

describe('openDatabase with the embedded engine', () => {
  let root: string;
  let migrationsFolder: string;
  let dataDir: string;
  let database: OpenDatabase<typeof schema> | undefined;

  const open = () =>
    openDatabase({ serviceName: 'test-service', schema, migrationsFolder, dataDir });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'open-database-'));
    migrationsFolder = join(root, 'migrations');
    // A folder that does not exist yet, as on a service's first start.
    dataDir = join(root, 'data', 'test-service');
    writeMigrations(migrationsFolder, 1);
  });

  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the data folder, applies the migrations and answers queries', async () => {
    database = await open();

    expect(database.engine).toBe('pglite');
    await expect(database.ping()).resolves.toBeUndefined();
    await database.db.insert(notes).values([{ title: 'first' }, { title: 'second' }]);
    expect(await database.db.select().from(notes).orderBy(notes.id)).toEqual([
      { id: 1, title: 'first' },
      { id: 2, title: 'second' },
    ]);
  });

  it('keeps the migration history in a table of its own service', async () => {
    database = await open();

    expect(await appliedMigrations(database)).toBe(1);
  });

  it('keeps the data across a close and a reopen, and applies only the new migrations', async () => {
    writeMigrations(migrationsFolder, 2);
    database = await open();

    expect((await database.db.select().from(notes)).map((note) => note.title)).toEqual([
      'first',
      'second',
    ]);
    expect(await appliedMigrations(database)).toBe(2);
    // The second migration made titles unique.
    await expect(database.db.insert(notes).values({ title: 'first' })).rejects.toThrow();
  });

  it('reports itself down once closed', async () => {
    const closing = await open();
    await closing.close();

    await expect(closing.ping()).rejects.toThrow();
  });
});
