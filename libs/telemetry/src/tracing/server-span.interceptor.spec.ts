import { startInMemoryTelemetry } from '../testing/in-memory-telemetry';

const { exporter, flush } = startInMemoryTelemetry('server-error-spec');
import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  ServiceUnavailableException,
} from '@nestjs/common';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type RPCMetadata, RPCType, setRPCMetadata } from '@opentelemetry/core';
import { firstValueFrom, of, throwError } from 'rxjs';
import { ServerSpanInterceptor } from './server-span.interceptor';

// The interceptor with the real SDK: a server span in the request's RPC metadata, as the http
// instrumentation puts it there, and a child span active, as nestjs-core's would be. The
// instrumentation's reading of `route` (span name, http.route) is proven end to end (e2e/).

const interceptor = new ServerSpanInterceptor();

/** What Nest hands an interceptor for an HTTP request Express matched to `routePath`. */
function httpExecution(routePath?: string): ExecutionContext {
  const request = routePath === undefined ? {} : { route: { path: routePath } };
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

async function failWith(error: unknown) {
  const tracer = trace.getTracer('spec');
  const server = tracer.startSpan('GET /items/:id', { kind: SpanKind.SERVER });
  const request = setRPCMetadata(trace.setSpan(ROOT_CONTEXT, server), {
    type: RPCType.HTTP,
    span: server,
  });
  const handler = tracer.startSpan('handler', {}, request);
  const next: CallHandler = { handle: () => throwError(() => error) };
  await context.with(trace.setSpan(request, handler), async () => {
    const outcome = firstValueFrom(interceptor.intercept(httpExecution('/items/:id'), next));
    await expect(outcome).rejects.toBe(error);
  });
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

describe('ServerSpanInterceptor', () => {
  async function routeGiven(execution: ExecutionContext): Promise<string | undefined> {
    const server = trace.getTracer('spec').startSpan('GET', { kind: SpanKind.SERVER });
    const rpc: RPCMetadata = { type: RPCType.HTTP, span: server };
    const request = setRPCMetadata(trace.setSpan(ROOT_CONTEXT, server), rpc);
    await context.with(request, () =>
      firstValueFrom(interceptor.intercept(execution, { handle: () => of('ok') })),
    );
    server.end();
    return rpc.route;
  }

  it('gives the route template Express matched to the request RPC metadata', async () => {
    expect(await routeGiven(httpExecution('/items/:id'))).toBe('/items/:id');
  });

  it('leaves the route unset for a wildcard or a request without a matched route', async () => {
    expect(await routeGiven(httpExecution('/*path'))).toBeUndefined();
    expect(await routeGiven(httpExecution())).toBeUndefined();
  });

  it('leaves non-HTTP contexts alone', async () => {
    const rpcContext = { getType: () => 'rpc' } as unknown as ExecutionContext;
    expect(await routeGiven(rpcContext)).toBeUndefined();
  });

  it('records an unexpected error on the server span, with status ERROR', async () => {
    const { server, handler } = await failWith(new TypeError('boom'));

    expect(server.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(server.events).toHaveLength(1);
    expect(server.events[0].name).toBe('exception');
    expect(server.events[0].attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'boom',
    });
    expect(handler.events).toEqual([]);
  });

  it('records an HttpException answered with a 5xx', async () => {
    const { server } = await failWith(new ServiceUnavailableException('product-service is down'));

    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.events[0].attributes).toMatchObject({
      'exception.type': 'ServiceUnavailableException',
    });
  });

  it('leaves a client mistake (4xx) unrecorded', async () => {
    const parseError = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
      status: 400,
    });
    for (const error of [new BadRequestException('bad'), parseError]) {
      const { server } = await failWith(error);
      expect(server.status.code).toBe(SpanStatusCode.UNSET);
      expect(server.events).toEqual([]);
    }
  });
});
