import type { IncomingMessage } from 'node:http';

/** `route` of requests that matched no route: scanning random URLs adds no series. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route template Nest registered with Express and Express matched for this
 * request (`/api/orders/:id`), never the raw path: the one source of the
 * server span's name and `http.route`, the metrics' `route` label and the
 * request line's `route`. Requests that matched no route (an unknown path, a
 * body the parser rejected before routing, Nest's catch-all wildcard) share
 * one fixed value.
 */
export function routeTemplate(request: IncomingMessage): string {
  const path: unknown = (request as { route?: { path?: unknown } }).route?.path;
  return typeof path === 'string' && !path.includes('*') ? path : UNMATCHED_ROUTE;
}
