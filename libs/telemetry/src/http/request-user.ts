import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';
import type { IncomingMessage } from 'node:http';

/** The semantic-convention attribute for the user a request acts for (an id, never an email). */
export const ATTR_USER_ID = 'user.id';

const USER_ID = Symbol('obs.telemetry.userId');
type WithUser = IncomingMessage & { [USER_ID]?: string };

/**
 * Records the verified user a request acts for: `user.id` on the request's
 * server span now, and on its request line when the response ends. Call it
 * where the caller is verified (a guard, the caller-id decorator), never with
 * a value the client chose.
 */
export function setRequestUser(request: IncomingMessage, userId: string): void {
  (request as WithUser)[USER_ID] = userId;
  const active = context.active();
  // The server span, also when Nest's handler span is the active one.
  const span = getRPCMetadata(active)?.span ?? trace.getSpan(active);
  span?.setAttribute(ATTR_USER_ID, userId);
}

/** The user `setRequestUser` recorded for this request, if any. */
export function requestUser(request: IncomingMessage): string | undefined {
  return (request as WithUser)[USER_ID];
}
