import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { isUniqueViolation } from './unique-violation';

describe('isUniqueViolation', () => {
  let client: PGlite;
  const db = () => drizzle(client);

  // The embedded database takes a few seconds to start, more on a busy machine.
  beforeAll(async () => {
    client = new PGlite();
    await client.exec(
      "create table accounts (email text not null unique, name text not null check (name <> ''))",
    );
    await client.exec("insert into accounts values ('ada@example.com', 'Ada')");
  }, 30_000);

  afterAll(async () => {
    await client.close();
  });

  /** What a failed statement throws, as the repositories see it. */
  async function failure(statement: Promise<unknown>): Promise<unknown> {
    const error = await statement.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeDefined();
    return error;
  }

  it('recognises a duplicate key, as the driver throws it and as Drizzle wraps it', async () => {
    const duplicate = "insert into accounts values ('ada@example.com', 'Another Ada')";

    expect(isUniqueViolation(await failure(client.query(duplicate)))).toBe(true);
    expect(isUniqueViolation(await failure(db().execute(sql.raw(duplicate))))).toBe(true);
  });

  it('does not mistake other constraint violations for one', async () => {
    const missingName = sql.raw("insert into accounts (email) values ('grace@example.com')");
    const emptyName = sql.raw("insert into accounts values ('grace@example.com', '')");

    expect(isUniqueViolation(await failure(db().execute(missingName)))).toBe(false);
    expect(isUniqueViolation(await failure(db().execute(emptyName)))).toBe(false);
  });

  it('is false for errors that are not from the database', () => {
    expect(isUniqueViolation(new Error('duplicate key value'))).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation('23505')).toBe(false);
  });
});
