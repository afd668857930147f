import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type Context, context, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { IncomingMessage } from 'node:http';
import { type Observable, tap } from 'rxjs';
import { routeTemplate, UNMATCHED_ROUTE } from '../http/route-template';

/**
 * What Nest knows about a request and the http instrumentation does not, given
 * to the server span the instrumentation started:
 *
 * - **the route template**, as soon as Nest dispatches the request to its
 *   handler: set as `route` of the request's RPC metadata, the instrumentation's
 *   documented way in (the fastify and hapi integrations do the same), it names
 *   the span `METHOD /route/:template` and sets `http.route` when the span
 *   ends. A request a guard rejects never reaches an interceptor: its span keeps
 *   the method alone, while its metrics and request line carry the route.
 * - **an exception answered with a 5xx**: an `exception` event (type, message,
 *   stack) and status ERROR. The instrumentation adds `error.type` (the status
 *   code) when the response ends; a 4xx is the client's mistake and stays an
 *   unset status, as the semantic conventions ask for server spans.
 *
 * The server span is the one in the request's RPC metadata: with nestjs-core's
 * spans switched on, the active span is Nest's handler span, which that
 * instrumentation records the exception on itself.
 */
@Injectable()
export class ServerSpanInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() === 'http')
      nameRoute(context.active(), execution.switchToHttp().getRequest<IncomingMessage>());
    return next.handle().pipe(tap({ error: recordServerError }));
  }
}

function nameRoute(active: Context, request: IncomingMessage): void {
  const rpc = getRPCMetadata(active);
  const route = routeTemplate(request);
  if (rpc?.type === RPCType.HTTP && route !== UNMATCHED_ROUTE) rpc.route = route;
}

function recordServerError(error: unknown): void {
  if (answeredStatus(error) < 500) return;
  const active = context.active();
  const span = getRPCMetadata(active)?.span ?? trace.getSpan(active);
  if (!span?.isRecording()) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : undefined,
  });
}

/** The status an exception filter answers with: an HttpException's own, a client error's 4xx, else 500. */
function answeredStatus(error: unknown): number {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}
