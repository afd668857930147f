import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';

// scrypt with OWASP's minimum cost for interactive logins (N=2^17 is the
// recommendation; 2^15 keeps a 2-core test machine responsive at ~30 ms a hash).
const COST: ScryptOptions = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, cost, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$key`, so the cost can be raised later without breaking stored hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algorithm, n, r, p, salt, key] = stored.split('$');
  if (algorithm !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const cost = { N: Number(n), r: Number(r), p: Number(p), maxmem: COST.maxmem };
  // A stored hash with impossible cost parameters matches no password; it is not a server error.
  const actual = await derive(password, Buffer.from(salt, 'base64'), cost).catch(() => undefined);
  return (
    actual !== undefined && actual.length === expected.length && timingSafeEqual(actual, expected)
  );
}

/** A hash of nothing, checked when the email is unknown so both failures take as long. */
export const UNKNOWN_USER_HASH = hashPassword(randomBytes(16).toString('hex'));
