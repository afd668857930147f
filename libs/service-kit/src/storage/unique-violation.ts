const UNIQUE_VIOLATION = '23505';

/** True when a database error is PostgreSQL's unique_violation, from either engine. */
export function isUniqueViolation(error: unknown): boolean {
  // Drizzle wraps driver errors; the SQLSTATE code sits on the error or a cause.
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    if ((current as { code?: unknown }).code === UNIQUE_VIOLATION) return true;
  }
  return false;
}
