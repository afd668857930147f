import type { IncomingMessage } from 'node:http';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { Instrumentation } from '@opentelemetry/instrumentation';

/** Paths that are polled by machines: tracing them would only add noise and cost. */
const UNTRACED_PATH = /^\/(health\/|metrics|admin\/faults)/;

export function isUntracedRequest(request: IncomingMessage): boolean {
  return UNTRACED_PATH.test(request.url ?? '');
}

/**
 * The instrumentations every service needs, and only those: loading the
 * whole auto-instrumentation bundle costs start-up time and memory for
 * libraries these services never use.
 */
export function serviceInstrumentations(options: { sendLogs: boolean }): Instrumentation[] {
  return [
    new HttpInstrumentation({ ignoreIncomingRequestHook: isUntracedRequest }),
    // One span per route handler is useful; one per Express middleware is noise.
    new ExpressInstrumentation({
      ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER],
    }),
    new NestInstrumentation(),
    new UndiciInstrumentation(),
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    new PinoInstrumentation({ disableLogSending: !options.sendLogs }),
  ];
}
