import { context, INVALID_TRACEID, trace, TraceFlags } from '@opentelemetry/api';

export interface TraceFields {
  trace_id?: string;
  span_id?: string;
  trace_flags?: '00' | '01';
}

/**
 * pino's `mixin`: the active span's `trace_id`, `span_id` and `trace_flags` on
 * every line written inside a trace, nothing outside one (or with tracing off).
 * The same fields, under the same names, as the OpenTelemetry pino
 * instrumentation adds. Done here rather than by the instrumentation because
 * this runs on every log line: it reads the span context once and skips the
 * instrumentation's per-line config lookups, hook call and id re-validation by
 * regular expression (the SDK only makes valid ids). It also holds where
 * require hooks do not run, such as Jest's module registry.
 */
export function traceFields(): TraceFields {
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (traceId === INVALID_TRACEID) return {};
  return {
    trace_id: traceId,
    span_id: spanId,
    trace_flags: traceFlags & TraceFlags.SAMPLED ? '01' : '00',
  };
}
