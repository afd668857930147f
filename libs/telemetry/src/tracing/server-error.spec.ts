import { startInMemoryTelemetry } from '../testing/in-memory-telemetry';

const { exporter, flush } = startInMemoryTelemetry('server-error-spec');
import { ServiceUnavailableException } from '@nestjs/common';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { RPCType, setRPCMetadata } from '@opentelemetry/core';
import { recordServerError } from './server-error';

// recordServerError with the real SDK: a server span in the request's RPC metadata, as the
// http instrumentation puts it there, and a child span active, as nestjs-core's would be.
// When it is called (5xx answers only, guards included) is proven with a real Nest app in
// service-kit's exception filter spec.

async function recordIn(error: unknown) {
  const tracer = trace.getTracer('spec');
  const server = tracer.startSpan('GET /items/:id', { kind: SpanKind.SERVER });
  const request = setRPCMetadata(trace.setSpan(ROOT_CONTEXT, server), {
    type: RPCType.HTTP,
    span: server,
  });
  const handler = tracer.startSpan('handler', {}, request);
  context.with(trace.setSpan(request, handler), () => recordServerError(error));
  handler.end();
  server.end();
  await flush();
  const spans = exporter.getFinishedSpans();
  exporter.reset();
  return {
    server: spans.find((span) => span.name === 'GET /items/:id')!,
    handler: spans.find((span) => span.name === 'handler')!,
  };
}

describe('recordServerError', () => {
  it('records the error on the server span, not the active child, with status ERROR', async () => {
    const { server, handler } = await recordIn(new TypeError('boom'));

    expect(server.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(server.events).toHaveLength(1);
    expect(server.events[0].name).toBe('exception');
    expect(server.events[0].attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'boom',
    });
    expect(handler.events).toEqual([]);
    expect(handler.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('names an HttpException by its class', async () => {
    const { server } = await recordIn(new ServiceUnavailableException('product-service is down'));

    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.events[0].attributes).toMatchObject({
      'exception.type': 'ServiceUnavailableException',
    });
  });

  it('records on the active span outside an HTTP request', async () => {
    const span = trace.getTracer('spec').startSpan('job');
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => recordServerError('not an Error'));
    span.end();
    await flush();
    const [finished] = exporter.getFinishedSpans();
    exporter.reset();

    expect(finished.status.code).toBe(SpanStatusCode.ERROR);
    expect(finished.events[0].attributes).toMatchObject({ 'exception.message': 'not an Error' });
  });
});
