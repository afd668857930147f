import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './password-hasher';

describe('password hasher', () => {
  const password = 'correct horse battery staple';
  let stored: string;

  beforeAll(async () => {
    stored = await hashPassword(password);
  });

  it('stores the algorithm, its cost and a salt with the key, never the password', () => {
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(stored).not.toContain(password);
  });

  it('accepts the password it hashed and refuses any other', async () => {
    expect(await verifyPassword(password, stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword(password.toUpperCase(), stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash, so the same password never hashes the same twice', async () => {
    const again = await hashPassword(password);

    expect(again).not.toBe(stored);
    expect(again.split('$')[4]).not.toBe(stored.split('$')[4]);
    expect(await verifyPassword(password, again)).toBe(true);
  });

  it.each([
    ['an empty string', ''],
    ['a plain-text password', 'correct horse battery staple'],
    ['another algorithm', '$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWX'],
    ['a hash without its key', 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA=='],
    ['a hash without its salt', 'scrypt$32768$8$1$$a2V5'],
  ])('refuses every password against %s', async (_case, malformed) => {
    expect(await verifyPassword(password, malformed)).toBe(false);
    expect(await verifyPassword('', malformed)).toBe(false);
  });

  it('keeps a hash to check unknown emails against, which no password matches', async () => {
    const unknown = await UNKNOWN_USER_HASH;
    expect(unknown).toMatch(/^scrypt\$/);
    expect(await verifyPassword(password, unknown)).toBe(false);
  });
});
