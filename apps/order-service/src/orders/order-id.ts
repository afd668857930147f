import { createHash } from 'node:crypto';

/**
 * The id of the order an Idempotency-Key makes: the name-based UUID (RFC 9562,
 * version 5) of the key in the caller's own namespace. Every retry of one
 * checkout gets the same id, so it finds the stock its first attempt reserved,
 * even when that attempt died before the order was saved.
 */
export function orderIdFor(userId: string, idempotencyKey: string): string {
  const namespace = Buffer.from(userId.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(idempotencyKey, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ].join('-');
}
