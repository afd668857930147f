import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import type { Instrumentation } from '@opentelemetry/instrumentation';

export interface InstrumentationChoice {
  /** Send pino's log records over OTLP as well (OTEL_LOGS_EXPORTER=otlp). */
  sendLogs: boolean;
  /** A span per SQL query (OTEL_INSTRUMENTATION_PG_ENABLED=true). */
  pgQuerySpans: boolean;
}

/**
 * The instrumentations every service needs, and only those: loading the
 * whole auto-instrumentation bundle costs start-up time and memory for
 * libraries these services never use. pino's, only to send log records over
 * OTLP: the trace ids on every line come from the logger's own mixin.
 *
 * HTTP is traced by the service's own code instead, deciding on sampling
 * first (bench/README.md): TelemetryModule makes the server spans and
 * service-kit's UpstreamClient the client spans, propagating the W3C trace
 * context both ways. No Express or Nest instrumentation either: their spans
 * around every middleware and handler cost more CPU than all the rest.
 *
 * pg query spans are opt-in: the instrumentation wraps every query, in a
 * sampled trace or not (ten per order), while the repositories' `@Span()`
 * spans already time the domain work each query belongs to.
 */
export function serviceInstrumentations(choice: InstrumentationChoice): Instrumentation[] {
  const instrumentations: Instrumentation[] = [];
  if (choice.pgQuerySpans)
    instrumentations.push(
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    );
  if (choice.sendLogs)
    instrumentations.push(new PinoInstrumentation({ disableLogCorrelation: true }));
  return instrumentations;
}
