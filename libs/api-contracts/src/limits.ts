import { NotContains } from 'class-validator';

/** The largest value of a PostgreSQL `integer` column: ids, quantities, paging. */
export const INT32_MAX = 2_147_483_647;

/**
 * Text PostgreSQL can store: anything but the NUL character, which `text` refuses.
 * Checked at the edge so the request gets a 400 naming the field, not a database error.
 */
export const IsStorableText = () =>
  NotContains('\u0000', { message: '$property must not contain NUL (\\u0000) characters' });
