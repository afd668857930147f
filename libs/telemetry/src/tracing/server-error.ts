import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';
import { withoutQueryParameters } from '../errors/without-query-parameters';

/**
 * Records an error the service answers with a 5xx on the request's server span: an
 * `exception` event (type, message, stack) and status ERROR. The one caller is the place
 * that decides the answer (service-kit's exception filter), so guards', pipes' and
 * handlers' errors are recorded alike; a 4xx is the client's mistake and is not recorded,
 * as the semantic conventions ask for server spans. The http instrumentation adds
 * `error.type` (the status code) when the response ends.
 *
 * The server span is the one in the request's RPC metadata: with nestjs-core's spans
 * switched on, the active span is Nest's handler span, which that instrumentation
 * records the exception on itself.
 *
 * A failed query is recorded without its parameter values (`withoutQueryParameters`).
 */
export function recordServerError(thrown: unknown): void {
  const error = withoutQueryParameters(thrown);
  const active = context.active();
  const span = getRPCMetadata(active)?.span ?? trace.getSpan(active);
  if (!span?.isRecording()) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : undefined,
  });
}
