import { Injectable, type NestMiddleware } from '@nestjs/common';
import { trace, TraceFlags } from '@opentelemetry/api';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { NextFunction, Request, Response } from 'express';
import type { Counter, Gauge, Histogram } from 'prom-client';
import {
  HTTP_REQUEST_DURATION_SECONDS,
  HTTP_REQUESTS_IN_FLIGHT,
  HTTP_REQUESTS_TOTAL,
  LATENCY_BUCKETS_SECONDS,
  UNMATCHED_ROUTE,
} from './metric-names';

type HttpLabel = 'method' | 'route' | 'status_code';
const HTTP_LABELS: HttpLabel[] = ['method', 'route', 'status_code'];

export const httpMetricProviders = [
  makeCounterProvider({
    name: HTTP_REQUESTS_TOTAL,
    help: 'HTTP requests served, by method, route template and status code.',
    labelNames: HTTP_LABELS,
  }),
  makeHistogramProvider({
    name: HTTP_REQUEST_DURATION_SECONDS,
    help: 'HTTP request duration in seconds, by method, route template and status code.',
    labelNames: HTTP_LABELS,
    buckets: LATENCY_BUCKETS_SECONDS,
    enableExemplars: true,
  }),
  makeGaugeProvider({
    name: HTTP_REQUESTS_IN_FLIGHT,
    help: 'HTTP requests being served right now.',
  }),
];

/** Requests Prometheus and the orchestrator make; they would skew the RED metrics. */
const UNMEASURED_PATH = /^\/(metrics|health\/)/;

/**
 * The route template Express matched (`/api/orders/:id`), never the raw path.
 * Nest answers unknown paths from a catch-all wildcard route; those, like
 * requests that matched nothing, share one fixed value.
 */
export function routeTemplate(request: Request): string {
  const path: unknown = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && !path.includes('*') ? path : UNMATCHED_ROUTE;
}

/** The trace id to attach as an exemplar: only a sampled trace can be opened in Jaeger. */
function sampledTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && context.traceFlags & TraceFlags.SAMPLED ? context.traceId : undefined;
}

/** Records the contract's RED metrics for every request, including unmatched ones. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(
    @InjectMetric(HTTP_REQUESTS_TOTAL) private readonly requests: Counter<HttpLabel>,
    @InjectMetric(HTTP_REQUEST_DURATION_SECONDS) private readonly duration: Histogram<HttpLabel>,
    @InjectMetric(HTTP_REQUESTS_IN_FLIGHT) private readonly inFlight: Gauge,
  ) {}

  use(request: Request, response: Response, next: NextFunction): void {
    if (UNMEASURED_PATH.test(request.originalUrl)) return next();
    const startedAt = performance.now();
    const traceId = sampledTraceId();
    this.inFlight.inc();
    response.once('close', () => {
      this.inFlight.dec();
      const labels = {
        method: request.method,
        route: routeTemplate(request),
        status_code: String(response.statusCode),
      };
      const value = (performance.now() - startedAt) / 1000;
      this.requests.inc(labels);
      // prom-client types exemplar labels as if they were the metric's labels. Without
      // any, it keeps the bucket's exemplar from an earlier sampled request.
      const exemplarLabels = traceId
        ? ({ trace_id: traceId } as unknown as Record<HttpLabel, string>)
        : undefined;
      this.duration.observe({ labels, value, exemplarLabels });
    });
    next();
  }
}
