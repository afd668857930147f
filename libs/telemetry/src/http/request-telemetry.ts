import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import { context, INVALID_TRACEID, trace, TraceFlags } from '@opentelemetry/api';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpLogger } from 'pino-http';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { type HttpLabel } from '../metrics/http-metrics';
import {
  HTTP_REQUEST_DURATION_SECONDS,
  HTTP_REQUESTS_IN_FLIGHT,
  HTTP_REQUESTS_TOTAL,
} from '../metrics/metric-names';
import { PROBE_PATH } from './polled-paths';
import { routeTemplate } from './route-template';

/** Response header carrying the request's trace id, to quote in a bug report or find in Jaeger. */
export const TRACE_ID_HEADER = 'x-trace-id';

/** The pino-http middleware the module builds; mounted by `useRequestTelemetry`. */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

type Next = (error?: unknown) => void;

/**
 * What every request leaves besides its server span (the http
 * instrumentation's, named after its route by `ServerSpanInterceptor`): the RED
 * metrics, the request line (pino-http) and the trace id in `x-trace-id`.
 *
 * Mounted as the application's first middleware (`useRequestTelemetry`), ahead
 * of the body parser and the router, so that a request the body parser rejects
 * or that matches no route is measured and logged like any other.
 */
@Injectable()
export class RequestTelemetry {
  constructor(
    @InjectMetric(HTTP_REQUESTS_TOTAL) private readonly requests: Counter<HttpLabel>,
    @InjectMetric(HTTP_REQUEST_DURATION_SECONDS) private readonly duration: Histogram<HttpLabel>,
    @InjectMetric(HTTP_REQUESTS_IN_FLIGHT) private readonly inFlight: Gauge,
    @Inject(HTTP_LOGGER) private readonly logRequest: HttpLogger,
  ) {}

  readonly handle = (request: IncomingMessage, response: ServerResponse, next: Next): void => {
    if (!PROBE_PATH.test(request.url ?? '')) this.measure(request, response);
    this.logRequest(request, response, next);
  };

  private measure(request: IncomingMessage, response: ServerResponse): void {
    const startedAt = performance.now();
    const active = context.active();
    const spanContext = trace.getSpanContext(active);
    // An all-zero id means no tracing (OTEL_SDK_DISABLED): nothing to quote.
    if (spanContext && spanContext.traceId !== INVALID_TRACEID)
      response.setHeader(TRACE_ID_HEADER, spanContext.traceId);
    // The exemplar: only a sampled trace can be opened in Jaeger.
    const exemplarTraceId =
      spanContext && spanContext.traceFlags & TraceFlags.SAMPLED ? spanContext.traceId : undefined;
    this.inFlight.inc();
    response.once('close', () => {
      this.inFlight.dec();
      const labels = {
        method: request.method ?? 'GET',
        route: routeTemplate(request),
        status_code: String(response.statusCode),
      };
      const value = (performance.now() - startedAt) / 1000;
      this.requests.inc(labels);
      // prom-client types exemplar labels as if they were the metric's labels. Without
      // any, it keeps the bucket's exemplar from an earlier sampled request.
      const exemplarLabels = exemplarTraceId
        ? ({ trace_id: exemplarTraceId } as unknown as Record<HttpLabel, string>)
        : undefined;
      this.duration.observe({ labels, value, exemplarLabels });
    });
  }
}

/**
 * Mounts the request telemetry as the app's first middleware. Call it right
 * after `NestFactory.create(..., { bodyParser: false })` and before
 * `app.useBodyParser(...)`: Nest's body parser would otherwise run first, and a
 * request it rejects (malformed JSON, a body over the limit) would leave no
 * metric and no request line.
 */
export function useRequestTelemetry(app: INestApplication): void {
  app.use(app.get(RequestTelemetry).handle);
}
