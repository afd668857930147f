import { DrizzleQueryError } from 'drizzle-orm/errors';

/**
 * The error as it may be logged or recorded on a span: a failed Drizzle query
 * (`DrizzleQueryError`, whose message and stack carry the SQL and every
 * parameter value, such as a password hash or an email) becomes an error of
 * the same name whose message is the SQL text, the driver's message and its
 * SQLSTATE, without the parameters; its stack keeps the frames, and its
 * `cause` is the driver's error. Any other value is returned as it is.
 */
export function withoutQueryParameters(error: unknown): unknown {
  if (!(error instanceof DrizzleQueryError)) return error;
  const driverError = error.cause;
  const code = (driverError as { code?: unknown } | undefined)?.code;
  const message = [
    `Failed query: ${error.query}`,
    driverError instanceof Error ? `: ${driverError.message}` : '',
    typeof code === 'string' ? ` (SQLSTATE ${code})` : '',
  ].join('');
  const safe = new Error(message, { cause: driverError });
  safe.name = DrizzleQueryError.name;
  const header = `${error.name}: ${error.message}`;
  const frames = error.stack?.startsWith(header) ? error.stack.slice(header.length) : '';
  safe.stack = `${safe.name}: ${message}${frames}`;
  return safe;
}
