import { Injectable, type NestMiddleware } from '@nestjs/common';
import { context, trace } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { NextFunction, Request, Response } from 'express';
import { routeTemplate } from '../metrics/http-metrics';
import { UNMATCHED_ROUTE } from '../metrics/metric-names';

/** Response header carrying the request's trace id, to quote in a bug report or find in Jaeger. */
export const TRACE_ID_HEADER = 'x-trace-id';

/**
 * What the server span needs from the application: the trace id on the
 * response, and the route template Express matched, which the http
 * instrumentation turns into the span's name (`GET /api/orders/:id`) and
 * `http.route`. Doing it here replaces the Express and Nest instrumentations,
 * whose spans around every middleware and handler cost more CPU than the rest
 * of tracing together (bench/README.md).
 */
@Injectable()
export class ServerSpanMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    const active = context.active();
    const traceId = trace.getSpan(active)?.spanContext().traceId;
    if (traceId) response.setHeader(TRACE_ID_HEADER, traceId);
    const rpc = getRPCMetadata(active);
    if (rpc?.type === RPCType.HTTP) {
      // 'finish' comes before the 'close' on which the instrumentation ends the span.
      response.once('finish', () => {
        const route = routeTemplate(request);
        if (route !== UNMATCHED_ROUTE) rpc.route = route;
      });
    }
    next();
  }
}
