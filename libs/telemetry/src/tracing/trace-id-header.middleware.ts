import { Injectable, type NestMiddleware } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';

/** Response header carrying the request's trace id, to quote in a bug report or find in Jaeger. */
export const TRACE_ID_HEADER = 'x-trace-id';

@Injectable()
export class TraceIdHeaderMiddleware implements NestMiddleware {
  use(_request: Request, response: Response, next: NextFunction): void {
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    if (traceId) response.setHeader(TRACE_ID_HEADER, traceId);
    next();
  }
}
