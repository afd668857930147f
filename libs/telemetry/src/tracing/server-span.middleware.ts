import { Injectable, type NestMiddleware } from '@nestjs/common';
import {
  context,
  INVALID_TRACEID,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { NextFunction, Request, Response } from 'express';
import { routeTemplate } from '../metrics/http-metrics';
import { UNMATCHED_ROUTE } from '../metrics/metric-names';
import { startSpanSamplingFirst } from '../sdk/start-telemetry';

/** Response header carrying the request's trace id, to quote in a bug report or find in Jaeger. */
export const TRACE_ID_HEADER = 'x-trace-id';

/** Paths that are polled by machines: tracing them would only add noise and cost. */
const UNTRACED_PATH = /^\/(health\/|metrics|admin\/faults)/;

const tracer = trace.getTracer('@obs/telemetry');

/**
 * The server span of every request: continues the caller's trace from
 * `traceparent`, is named after the route template (`GET /api/orders/:id`)
 * with `http.route`, and puts the trace id in `x-trace-id`.
 *
 * Made here rather than by the OpenTelemetry http instrumentation because the
 * sampling decision comes first: a request whose trace is not sampled (90% in
 * production) costs a span id, a header and a context, not the URL parsing,
 * attribute building and per-listener context binding the instrumentation does
 * for every request, which was the largest single cost of tracing
 * (bench/README.md). A trace the sampler drops does not even go through the
 * SDK's span start (`startSpanSamplingFirst`). Attributes follow the stable
 * HTTP semantic conventions.
 */
@Injectable()
export class ServerSpanMiddleware implements NestMiddleware {
  use(request: Request, response: Response, next: NextFunction): void {
    if (UNTRACED_PATH.test(request.originalUrl)) return next();
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = startSpanSamplingFirst(tracer, request.method, SpanKind.SERVER, parent);
    const { traceId } = span.spanContext();
    // An all-zero id means no SDK is running (OTEL_SDK_DISABLED): nothing to quote.
    if (traceId !== INVALID_TRACEID) response.setHeader(TRACE_ID_HEADER, traceId);
    if (span.isRecording()) {
      span.setAttributes({
        [ATTR_HTTP_REQUEST_METHOD]: request.method,
        [ATTR_URL_PATH]: request.path,
        [ATTR_URL_SCHEME]: request.protocol,
        [ATTR_SERVER_ADDRESS]: request.hostname,
        [ATTR_NETWORK_PROTOCOL_VERSION]: request.httpVersion,
        [ATTR_CLIENT_ADDRESS]: request.socket.remoteAddress,
        [ATTR_USER_AGENT_ORIGINAL]: request.headers['user-agent'],
      });
      response.once('close', () => endServerSpan(span, request, response));
    }
    context.with(trace.setSpan(parent, span), next);
  }
}

function endServerSpan(span: Span, request: Request, response: Response): void {
  const route = routeTemplate(request);
  if (route !== UNMATCHED_ROUTE) {
    span.updateName(`${request.method} ${route}`);
    span.setAttribute(ATTR_HTTP_ROUTE, route);
  }
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.statusCode);
  if (response.statusCode >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(response.statusCode));
    span.setStatus({ code: SpanStatusCode.ERROR });
  } else if (!response.writableFinished) {
    // The client went away before the answer was sent.
    span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
  }
  span.end();
}
