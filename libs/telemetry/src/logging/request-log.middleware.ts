import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { routeTemplate } from '../metrics/http-metrics';

/** Scrapes and probes: a line per poll would bury the requests people look for. */
const UNLOGGED_PATH = /^\/(metrics|health\/)/;

/**
 * One JSON line per request when its response is done: `method`, `route`
 * (the template, as in the metrics), `status_code` and `duration_ms`, at
 * `info` for 2xx/3xx, `warn` for 4xx and `error` for 5xx or an answer that was
 * never finished. The line is written inside the request's trace context, so
 * the logger's mixin adds its `trace_id` and `span_id`.
 *
 * One pino call with the four fields rather than pino-http's per-request child
 * logger, serializers and hooks (bench/README.md). Each request still runs in
 * nestjs-pino's logging context, so `PinoLogger.assign` keeps working.
 */
@Injectable()
export class RequestLogMiddleware implements NestMiddleware {
  constructor(private readonly logger: PinoLogger) {}

  use(request: Request, response: Response, next: NextFunction): void {
    if (UNLOGGED_PATH.test(request.originalUrl)) return next();
    const startedAt = performance.now();
    response.once('close', () => {
      const status = response.statusCode;
      const failed = status >= 500 || !response.writableFinished;
      const fields = {
        method: request.method,
        route: routeTemplate(request),
        status_code: status,
        duration_ms: Math.round((performance.now() - startedAt) * 10) / 10,
      };
      if (failed) this.logger.logger.error(fields, 'request failed');
      else if (status >= 400) this.logger.logger.warn(fields, 'request completed');
      else this.logger.logger.info(fields, 'request completed');
    });
    this.logger.runInContext(next);
  }
}
