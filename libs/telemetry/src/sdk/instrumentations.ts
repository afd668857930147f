import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/**
 * The instrumentations every service needs, and only those: loading the
 * whole auto-instrumentation bundle costs start-up time and memory for
 * libraries these services never use.
 *
 * HTTP is traced by the service's own code instead, deciding on sampling
 * first (bench/README.md): TelemetryModule makes the server spans and
 * service-kit's UpstreamClient the client spans, propagating the W3C trace
 * context both ways. No Express or Nest instrumentation either: their spans
 * around every middleware and handler cost more CPU than all the rest.
 */
export function serviceInstrumentations(options: { sendLogs: boolean }): Instrumentation[] {
  return [
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    new PinoInstrumentation({ disableLogSending: !options.sendLogs }),
  ];
}
