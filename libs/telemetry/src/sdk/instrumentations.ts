import type { IncomingMessage } from 'node:http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/** Paths that are polled by machines: tracing them would only add noise and cost. */
const UNTRACED_PATH = /^\/(health\/|metrics|admin\/faults)/;

export function isUntracedRequest(request: IncomingMessage): boolean {
  return UNTRACED_PATH.test(request.url ?? '');
}

/**
 * The instrumentations every service needs, and only those: loading the
 * whole auto-instrumentation bundle costs start-up time and memory for
 * libraries these services never use. http gives the server spans and
 * extracts the caller's trace context; the client spans of calls to other
 * services are made by service-kit's UpstreamClient, which injects it. No
 * Express or Nest instrumentation: their spans around every middleware and
 * handler cost more CPU than all the rest (bench/README.md); TelemetryModule
 * names the server span after the route.
 */
export function serviceInstrumentations(options: { sendLogs: boolean }): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: isUntracedRequest,
      disableOutgoingRequestInstrumentation: true,
    }),
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    new PinoInstrumentation({ disableLogSending: !options.sendLogs }),
  ];
}
