import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';
import { type Observable, tap } from 'rxjs';

/**
 * Records an exception that will be answered with a 5xx on the request's
 * server span: an `exception` event (type, message, stack) and status ERROR.
 * The http instrumentation adds `error.type` (the status code) when the
 * response ends; a 4xx is the client's mistake and stays an unset status, as
 * the semantic conventions ask for server spans.
 *
 * The server span is the one the http instrumentation put in the request's
 * RPC metadata; with nestjs-core's spans switched on, the active span is
 * Nest's handler span, which that instrumentation records the exception on.
 */
@Injectable()
export class ServerErrorInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(tap({ error: recordServerError }));
  }
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
